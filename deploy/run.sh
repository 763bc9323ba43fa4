#!/usr/bin/env bash
# The run command. On a fresh machine: installs the system packages, starts a private PostgreSQL (unless
# LIVEGATE_DATABASE_URL names one), builds LiveGate and applies its schema. Further arguments run as a
# `livegate` subcommand against that database afterwards (default: `migrate`).
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/setup.sh
if [[ -z ${LIVEGATE_DATABASE_URL:-} ]]; then
  LIVEGATE_DATABASE_URL=$(deploy/postgres.sh start)
  export LIVEGATE_DATABASE_URL
fi
swift build -c release --product livegate >&2
bin=$(swift build -c release --show-bin-path)/livegate
"$bin" migrate
echo "PostgreSQL: $LIVEGATE_DATABASE_URL  (psql \"$LIVEGATE_DATABASE_URL\")"
if (($#)); then "$bin" "$@"; fi
