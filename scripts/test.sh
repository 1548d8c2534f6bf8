#!/usr/bin/env bash
# The test command: installs what the tests need (idempotent), then runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# shellcheck disable=SC1091
[ -f tools/env.sh ] && source tools/env.sh
cargo test --workspace --locked
