#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the ftso-storage / ftso-indexer tests, idempotently.
# - installs PostgreSQL from Debian packages if no server binaries are found;
# - keeps the cluster in /tmp/ftso-test-postgres (owned by the `postgres` user when run as root, since initdb
#   refuses to run as root), listening on 127.0.0.1 only, trust auth (test data only);
# - reuses the cluster when it is already running;
# - appends `export FTSO_TEST_POSTGRES_URL=...` to tools/env.sh. Each test creates its own database in it.
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT="${FTSO_TEST_POSTGRES_PORT:-55439}"
DATA="${FTSO_TEST_POSTGRES_DIR:-/tmp/ftso-test-postgres}"

find_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
BINDIR="$(find_bindir || true)"
if [ -z "$BINDIR" ] || [ ! -x "$BINDIR/initdb" ]; then
  echo "setup: installing postgresql from Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
  BINDIR="$(find_bindir)"
fi

# Run the server tools as an unprivileged user when we are root.
if [ "$(id -u)" = "0" ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  as_pg() { runuser -u postgres -- "$@"; }
  OWNER=postgres
else
  as_pg() { "$@"; }
  OWNER="$(id -un)"
fi

if ! [ -f "$DATA/PG_VERSION" ]; then
  rm -rf "$DATA"
  mkdir -p "$DATA"
  chown "$OWNER" "$DATA"
  chmod 700 "$DATA"
  as_pg "$BINDIR/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --no-locale >/dev/null
fi

if as_pg "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  :
else
  as_pg "$BINDIR/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$DATA -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null
  echo "setup: test postgres running on 127.0.0.1:$PORT ($DATA)"
fi

LINE="export FTSO_TEST_POSTGRES_URL=\"postgres://postgres@127.0.0.1:$PORT/postgres\""
mkdir -p tools
touch tools/env.sh
grep -qxF "$LINE" tools/env.sh || { sed -i '/^export FTSO_TEST_POSTGRES_URL=/d' tools/env.sh; echo "$LINE" >>tools/env.sh; }
