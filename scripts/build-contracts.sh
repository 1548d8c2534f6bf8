#!/usr/bin/env bash
# Rebuilds the devnet contract artifacts (host/devnet/artifacts) and the ftso-chain ABIs (host/chain/abi)
# from host/devnet/contracts with the pinned solc-js. Run scripts/setup.sh once first.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node host/devnet/build-contracts.js "$@"
