#!/usr/bin/env bash
# The test command. On a fresh machine: installs the system packages, starts a private PostgreSQL (unless
# LIVEGATE_DATABASE_URL names one), builds, and runs every test. Extra arguments go to `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/setup.sh
started=""
if [[ -z ${LIVEGATE_DATABASE_URL:-} ]]; then
  LIVEGATE_DATABASE_URL=$(deploy/postgres.sh start)
  export LIVEGATE_DATABASE_URL
  started=yes
fi
[[ -n $started && -n ${CI:-} ]] && trap 'deploy/postgres.sh stop' EXIT

swift build --build-tests
swift test --skip-build "$@"
