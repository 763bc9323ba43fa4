#!/usr/bin/env bash
# The run command: from a fresh machine to a running pipeline. Installs the system packages, builds
# LiveGate, then runs `livegate dev` with any arguments given (try --demo): an embedded Kafka-protocol
# broker and a private PostgreSQL unless LIVEGATE_BROKERS / LIVEGATE_DATABASE_URL name real ones.
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/setup.sh
swift build --product livegate >&2
exec "$(swift build --show-bin-path)/livegate" dev "$@"
