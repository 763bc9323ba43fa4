#!/usr/bin/env bash
# The reliability proofs, at a size of your choosing. CI runs them inside deploy/test.sh at their default
# size (20,000 attempts over 50 tenants, 5 kills); this runs only the proofs, larger by default:
#   deploy/proofs.sh                      100,000 attempts, 200 tenants, 10 kills
#   LIVEGATE_PROOF_ATTEMPTS=20000 deploy/proofs.sh
# Each proof prints its figures (inputs, kills, faults, recovery times, reconcile result).
set -euo pipefail
cd "$(dirname "$0")/.."

export LIVEGATE_PROOF_ATTEMPTS=${LIVEGATE_PROOF_ATTEMPTS:-100000}
export LIVEGATE_PROOF_TENANTS=${LIVEGATE_PROOF_TENANTS:-200}
export LIVEGATE_PROOF_KILLS=${LIVEGATE_PROOF_KILLS:-10}
deploy/setup.sh
swift build --build-tests  # the tests start the private PostgreSQL unless LIVEGATE_DATABASE_URL names one
swift test --skip-build --filter "CrashProofTests|FaultProofTests|ReadOnlyFailoverTests|StallProofTests|StatusConvergenceTests|IsolationProofTests|LostInputsTests|BadInputCorpusTests|ProcessTests|ReplayTests" \
  2>&1 | grep -vE '^%[0-9]|source=librdkafka'
