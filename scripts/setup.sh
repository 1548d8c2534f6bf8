#!/usr/bin/env bash
# Installs everything the node and its tests need, idempotently: runs every scripts/setup.d/*.sh in order.
# Tools land under ./tools (git-ignored); nothing is installed globally except Debian packages.
set -euo pipefail
cd "$(dirname "$0")/.."
for step in scripts/setup.d/*.sh; do
  [ -e "$step" ] || continue
  echo "setup: $step"
  bash "$step"
done
