#!/usr/bin/env bash
# Installs Debian's chromium package when no headless browser is found, idempotently: the status page test
# (host/node/tests/devnet/status_page.rs) drives it over the Chrome DevTools Protocol. A browser named by FTSO_CHROMIUM,
# or `chromium` already on PATH, is kept. Exports FTSO_CHROMIUM in tools/env.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN="${FTSO_CHROMIUM:-$(command -v chromium || true)}"
if [ -z "$BIN" ] || [ ! -x "$BIN" ]; then
  echo "setup: installing chromium from Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  BIN="$(command -v chromium)"
fi
LINE="export FTSO_CHROMIUM=\"$BIN\""
mkdir -p tools
touch tools/env.sh
grep -qxF "$LINE" tools/env.sh || { sed -i '/^export FTSO_CHROMIUM=/d' tools/env.sh; echo "$LINE" >>tools/env.sh; }
