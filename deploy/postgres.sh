#!/usr/bin/env bash
# The private PostgreSQL server for development, tests and the bench: `livegate postgres`, the same code that
# `livegate dev` and the tests use to start it: one way, in which every wait on PostgreSQL is bounded.
#   deploy/postgres.sh start                    initialise on first use, start, print the URL
#   deploy/postgres.sh stop [fast|immediate]    stop it (immediate: as a crash would; recovery at the next start)
#   deploy/postgres.sh status | url
# Settings (environment): LIVEGATE_PG_PORT (default 54329), LIVEGATE_PG_DIR (default /tmp/livegate-pg-$PORT),
# LIVEGATE_PG_BIN (default the newest /usr/lib/postgresql/*/bin). LIVEGATE_BIN names a livegate binary to use
# instead of building one. Under root the server runs as the `postgres` user (PostgreSQL refuses root).
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${LIVEGATE_BIN:-}
if [[ -z $bin ]]; then
  deploy/setup.sh
  swift build --product livegate >&2
  bin="$(swift build --show-bin-path)/livegate"
fi

case ${1:-} in
  start | status | url) exec "$bin" postgres "$1" ;;
  stop) exec "$bin" postgres stop --mode "${2:-fast}" ;;
  *) echo "usage: $0 start | stop [fast|immediate] | status | url" >&2; exit 2 ;;
esac
