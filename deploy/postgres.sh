#!/usr/bin/env bash
# A private PostgreSQL server for development and tests.
#   deploy/postgres.sh start   start it (initialising it on first use) and print its URL
#   deploy/postgres.sh stop [fast|immediate]   stop it (immediate: as a crash would, recovery on next start)
#   deploy/postgres.sh url     print its URL
# PostgreSQL refuses to run as root, so under root the server runs as the `postgres` user.
# Settings (environment): LIVEGATE_PG_PORT (default 54329), LIVEGATE_PG_DIR (default /tmp/livegate-pg-$PORT).
# Commits are durable (fsync on): the numbers measured against it are the numbers production would see.
set -euo pipefail

port=${LIVEGATE_PG_PORT:-54329}
dir=${LIVEGATE_PG_DIR:-/tmp/livegate-pg-$port}
bin=${LIVEGATE_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
url="postgresql://postgres@127.0.0.1:$port/postgres"

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  [[ -x $bin/pg_ctl ]] || { echo "PostgreSQL server binaries not found (install postgresql)" >&2; exit 1; }
  if [[ ! -f $dir/PG_VERSION ]]; then
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
    chmod 700 "$dir"
    as_owner "$bin/initdb" -D "$dir" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    cat >>"$dir/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
shared_buffers = 256MB
fsync = on
synchronous_commit = on
CONF
  fi
  if ! as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    # Room for the WAL of a write-heavy run between checkpoints: with the default 1 GB, a benchmark forced a
    # checkpoint every ~30 s ("checkpoints are occurring too frequently"), each followed by full-page images.
    as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-c max_wal_size=4GB -c checkpoint_timeout=15min" start >/dev/null
  fi
  echo "$url"
}

stop() {
  if [[ -f $dir/PG_VERSION ]] && as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    as_owner "$bin/pg_ctl" -D "$dir" -m "${2:-fast}" -w stop >/dev/null
  fi
}

case ${1:-} in
  start) start ;;
  stop) stop "$@" ;;
  url) echo "$url" ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
