#!/usr/bin/env bash
# Installs anvil (Foundry's local EVM node) from the npm registry into tools/anvil, idempotently.
# The devnet harness finds it at tools/anvil/package/bin/anvil (or through ANVIL_BIN, exported in tools/env.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=1.7.1
DIR=tools/anvil
BIN="$DIR/package/bin/anvil"
if [ -x "$BIN" ] && [ -f "$DIR/.version" ] && [ "$(cat "$DIR/.version")" = "$VERSION" ]; then
  :
else
  rm -rf "$DIR"
  mkdir -p "$DIR"
  (cd "$DIR" && npm pack --silent "@foundry-rs/anvil-linux-amd64@$VERSION" >/dev/null \
    && tar -xzf foundry-rs-anvil-linux-amd64-"$VERSION".tgz && rm -f ./*.tgz)
  chmod +x "$BIN"
  echo "$VERSION" >"$DIR/.version"
  echo "anvil $VERSION installed at $BIN"
fi
LINE="export ANVIL_BIN=\"$(pwd)/$BIN\""
touch tools/env.sh
grep -qxF "$LINE" tools/env.sh || { sed -i '/^export ANVIL_BIN=/d' tools/env.sh; echo "$LINE" >>tools/env.sh; }
