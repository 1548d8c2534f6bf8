#!/usr/bin/env bash
# Installs the wasm32-wasip2 Rust target that feed plugins and test components are built for, idempotently.
# The target must belong to the toolchain cargo uses in this directory (rust-toolchain file or default).
set -euo pipefail
cd "$(dirname "$0")/../.."
TARGET=wasm32-wasip2
if ! command -v rustup >/dev/null 2>&1; then
  echo "setup: rustup not found; install the $TARGET target for your toolchain by hand" >&2
  exit 1
fi
if ! rustup target list --installed | grep -qxF "$TARGET"; then
  rustup target add "$TARGET" >/dev/null
  echo "rust target $TARGET installed"
fi
