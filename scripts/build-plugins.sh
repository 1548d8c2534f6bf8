#!/usr/bin/env bash
# Builds the feed plugins (release, wasm32-wasip2), copies the components into target/plugins/ (where the
# example configs expect them) and signs each one (`<component>.sig`) with a publisher key:
# $FTSO_PLUGIN_KEY if set (your own, from `ftso-node plugin keygen`), else the development key
# config/dev-plugin-publisher.key, which is PUBLIC: the example configs trust it, production configs must not.
# Signing runs `ftso-node plugin sign`: $FTSO_NODE_BIN if set, else the binary cargo builds.
# Usage: scripts/build-plugins.sh [package ...]   (default: every crate under plugins/)
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=wasm32-wasip2
if ! rustup target list --installed 2>/dev/null | grep -qxF "$TARGET"; then
  echo "build-plugins: the $TARGET target is missing: run scripts/setup.sh" >&2
  exit 1
fi
if [ "$#" -gt 0 ]; then
  packages=("$@")
else
  packages=()
  for manifest in plugins/*/Cargo.toml; do
    packages+=("$(sed -n 's/^name = "\(.*\)"$/\1/p' "$manifest" | head -n1)")
  done
fi
args=()
for p in "${packages[@]}"; do args+=(-p "$p"); done
# Own target dir: never waits on (or invalidates) the native build's lock and artefacts.
CARGO_TARGET_DIR=target/wasm cargo build --release --target "$TARGET" "${args[@]}"
mkdir -p target/plugins
for p in "${packages[@]}"; do
  file="${p//-/_}.wasm"
  cp "target/wasm/$TARGET/release/$file" "target/plugins/$file"
  echo "target/plugins/$file ($(wc -c <"target/plugins/$file") bytes)"
done
key="${FTSO_PLUGIN_KEY:-config/dev-plugin-publisher.key}"
if [ -n "${FTSO_NODE_BIN:-}" ]; then
  node=("$FTSO_NODE_BIN")
else
  cargo build --locked --quiet -p ftso-node
  node=("${CARGO_TARGET_DIR:-target}/debug/ftso-node")
fi
for p in "${packages[@]}"; do
  "${node[@]}" plugin sign --key "$key" "target/plugins/${p//-/_}.wasm" >/dev/null
done
echo "signed with $key"
