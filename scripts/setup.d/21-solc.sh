#!/usr/bin/env bash
# Installs solc-js (the Solidity compiler as an npm package, no native binary) into tools/solc, idempotently.
# Used by scripts/build-contracts.sh and by the ftso-devnet test that checks the committed artifacts.
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=0.8.30
DIR=tools/solc
if [ -f "$DIR/node_modules/solc/package.json" ] && [ -f "$DIR/.version" ] && [ "$(cat "$DIR/.version")" = "$VERSION" ]; then
  exit 0
fi
rm -rf "$DIR"
mkdir -p "$DIR"
(cd "$DIR" && echo '{"name":"ftso-tools-solc","private":true}' >package.json \
  && npm install --silent --no-audit --no-fund --no-save "solc@$VERSION" >/dev/null)
echo "$VERSION" >"$DIR/.version"
echo "solc-js $VERSION installed in $DIR"
