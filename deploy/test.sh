#!/usr/bin/env bash
# The test command. On a fresh machine: installs the system packages (and the test tools: curl, Prometheus,
# wrk, schemathesis), checks the code's format (.swift-format), builds, checks the README's run command as a
# newcomer meets it (Tests/Scripts/run-command.sh), validates deploy/ (deploy/check.sh), starts the private
# PostgreSQL (unless LIVEGATE_DATABASE_URL names one), and runs every test. Extra arguments go to `swift test`
# and skip the three checks (so `deploy/test.sh --filter X` stays quick).
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/setup.sh --for-tests
# The code's one format (.swift-format): `swift format -i -r Sources Tests` fixes what this finds.
(($#)) || swift format lint --strict -r Sources Tests
swift build --build-tests
LIVEGATE_BIN="$(swift build --show-bin-path)/livegate"
export LIVEGATE_BIN

(($#)) || Tests/Scripts/run-command.sh
# Everything under deploy/ (Dockerfile, compose, Kubernetes, alert rules and their unit tests, dashboard).
(($#)) || deploy/check.sh

started=""
if [[ -z ${LIVEGATE_DATABASE_URL:-} ]]; then
  LIVEGATE_DATABASE_URL=$(deploy/postgres.sh start)
  export LIVEGATE_DATABASE_URL
  started=yes
fi
[[ -n $started && -n ${CI:-} ]] && trap 'deploy/postgres.sh stop' EXIT

swift test --skip-build "$@"
