#!/usr/bin/env bash
# The run command: installs what the node needs (idempotent), builds the feed plugins, and runs the node on a
# local devnet with embedded SQLite (config/local.toml), the node acting as the devnet's entity: after ~1.5 min it
# registers for reward epoch 1 (`RegisterVoter success`), after ~2 min its fast updates are accepted
# (`successful update for block N replicate R in block M`). Extra arguments go to `ftso-node run`, e.g.
#   scripts/run.sh --config config/node.example.toml      (your own chain and config, no devnet)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# shellcheck disable=SC1091
[ -f tools/env.sh ] && source tools/env.sh
bash scripts/build-plugins.sh
if [ "$#" -eq 0 ]; then
  set -- --devnet --config config/local.toml
fi
exec cargo run --locked -p ftso-node -- run "$@"
