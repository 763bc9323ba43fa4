#!/usr/bin/env bash
# The benchmark, in a release build: the real pipeline under load beside its baselines.
#   deploy/bench.sh                       200,000 attempts over 1,000 tenants
#   deploy/bench.sh --attempts 20000 --json
# Uses LIVEGATE_DATABASE_URL if set, else the private PostgreSQL (durable: fsync on), which it starts.
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/setup.sh
swift build -c release --product livegate >&2
exec "$(swift build -c release --show-bin-path)/livegate" bench "$@"
