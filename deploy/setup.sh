#!/usr/bin/env bash
# Installs what LiveGate needs from Debian's packages when it is missing: librdkafka and libpq headers, and
# the PostgreSQL server binaries for the private development/test server; with --for-tests also the tools the
# tests use. Does nothing when all are present.
set -euo pipefail

missing=()
dpkg -s librdkafka-dev >/dev/null 2>&1 || missing+=(librdkafka-dev)
dpkg -s libpq-dev >/dev/null 2>&1 || missing+=(libpq-dev)
compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || missing+=(postgresql)
dpkg -s pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
# With --for-tests (deploy/test.sh): the tests' HTTP client, the Prometheus server the alert-rule test runs,
# and wrk for deploy/serve-bench.sh.
for_tests=""
[[ ${1:-} == --for-tests ]] && for_tests=yes
if [[ -n $for_tests ]]; then
  command -v curl >/dev/null || missing+=(curl)
  command -v prometheus >/dev/null || missing+=(prometheus)
  command -v wrk >/dev/null || missing+=(wrk)
fi

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian's postgresql package starts a cluster of its own; LiveGate uses a private one instead.
  if [[ " ${missing[*]} " == *" postgresql "* ]] && command -v pg_ctlcluster >/dev/null; then
    $sudo pg_lsclusters -h 2>/dev/null | while read -r version name _; do
      $sudo pg_ctlcluster "$version" "$name" stop 2>/dev/null || true
    done
  fi
fi

# schemathesis (PyPI) checks the running `livegate serve` against docs/openapi.yaml in the tests.
if [[ -n $for_tests ]] && ! command -v schemathesis >/dev/null; then
  echo "setup: installing schemathesis from PyPI" >&2
  python3 -m pip install --quiet --disable-pip-version-check schemathesis 2>/dev/null \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages schemathesis
  if command -v pyenv >/dev/null; then pyenv rehash; fi
fi
