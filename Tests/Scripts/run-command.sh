#!/usr/bin/env bash
# The README's run command as a newcomer meets it; deploy/test.sh runs this (so CI does) before the Swift tests.
#   1. From nothing: no private PostgreSQL running and its folder absent. `deploy/dev.sh --demo`, its output
#      going to a file (not a terminal): the banner must appear within 90 s while it runs, the demo story must
#      finish, the README's kcat example must get its verdict on the attempt's own partition, and SIGINT (what
#      Ctrl-C sends) must end it with exit status 0.
#      The demo runs signed (contract v1.2): the banner names the throwaway key sets, the forged approval is
#      refused, and the banner's own `livegate decide` and `livegate resolve` lines, run as printed, are accepted.
#   2. From a server that is stopped but initialised: `deploy/dev.sh --demo --exit-after-demo` must finish the
#      story, signed, and exit 0.
# It runs the commands exactly as the README gives them, with a port and a folder of its own
# (LIVEGATE_PG_PORT, LIVEGATE_PG_DIR) so that a private server already running for other work is not touched,
# and removes both afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."

port=${LIVEGATE_RUN_COMMAND_PG_PORT:-54339}
work=$(mktemp -d /tmp/livegate-run-command.XXXXXX)
chmod 755 "$work"  # the server runs as `postgres` under root and must reach its folder inside
export LIVEGATE_PG_PORT=$port LIVEGATE_PG_DIR=$work/pg
unset LIVEGATE_DATABASE_URL LIVEGATE_BROKERS
dev_pid=""
passed=0

cleanup() {
  [[ -n $dev_pid ]] && kill -KILL "$dev_pid" 2>/dev/null
  deploy/postgres.sh stop immediate >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "run-command: FAILED: $1" >&2
  [[ -n ${2:-} && -f $2 ]] && { echo "--- last lines of $2" >&2; tail -n 40 "$2" >&2; }
  echo "run-command: $passed passed, 1 failed"
  exit 1
}

# Waits up to $2 seconds for the text $1 in the file $3; prints the seconds it took.
wait_for() {
  local text=$1 limit=$2 file=$3 start=$SECONDS
  until grep -qF -- "$text" "$file" 2>/dev/null; do
    ((SECONDS - start < limit)) || return 1
    if [[ -n $dev_pid ]] && ! kill -0 "$dev_pid" 2>/dev/null; then return 1; fi
    sleep 0.5
  done
  echo $((SECONDS - start))
}

check_story() {
  for expected in "declaration accepted 202" "production_access_approved" "exceeds_tenant_beta_ceiling_per_tx" \
    "exceeds_tenant_beta_ceiling_daily" "exceeds_tenant_beta_ceiling_monthly" "production_access_suspended" \
    "live_access_not_approved" "Decisions and failed resolutions must be signed" "(signature_required)" \
    "signing with key dev-admin" "signing with key dev-settlement" "the review queue (livegate queue)" \
    "max_amount_now 57.50, retry_at" "the agent asks for \$57.50 instead" "newly allowed  2 attempts" \
    "Nothing was changed or published."; do
    grep -qF -- "$expected" "$1" || fail "the demo story did not show \"$expected\"" "$1"
  done
}

# Runs the banner's line labelled $1 (in the log $2) as printed, with the livegate that dev.sh built; it must
# be accepted (exit 0).
run_banner_line() {
  local label=$1 log=$2 line out=$work/banner-line.out
  line=$(grep -F -- "$label" "$log" | head -n 1 | sed -e "s/^.*$label *//")
  [[ $line == "livegate "* ]] || fail "no \"$label\" line in the banner" "$log"
  local args
  read -ra args <<<"${line#livegate }"
  "$(swift build --show-bin-path)/livegate" "${args[@]}" >"$out" 2>&1 || fail "the banner's \"$line\" failed" "$out"
  grep -qF '"outcome":"accepted"' "$out" || fail "the banner's \"$line\" was not accepted" "$out"
}

if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  fail "port $port is in use; set LIVEGATE_RUN_COMMAND_PG_PORT to a free one"
fi
if ! command -v kcat >/dev/null; then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "run-command: installing kcat for the README's example" >&2
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq kcat >/dev/null
fi

# 1. From nothing.
[[ ! -e $LIVEGATE_PG_DIR ]] || fail "$LIVEGATE_PG_DIR exists before the first run"
log=$work/dev-fresh.log
set -m  # its own process group, and SIGINT not ignored as it is for background jobs without job control
deploy/dev.sh --demo >"$log" 2>&1 &
dev_pid=$!
set +m
banner=$(wait_for "Kafka bootstrap" 90 "$log") || fail "no banner within 90 s of deploy/dev.sh --demo" "$log"
story=$(wait_for "Ctrl-C to stop." 240 "$log") || fail "the demo did not finish within 240 s" "$log"
check_story "$log"
brokers=$(awk '/Kafka bootstrap/ {print $3; exit}' "$log")

example=$work/kcat-example.sh
awk '/^### Publishing an attempt by hand/ {section=1} section && /^```sh/ {inside=1; next}
     inside && /^```/ {exit} inside {print}' README.md >"$example"
grep -q '^B=' "$example" || fail "no kcat example with a B= line in the README"
sed -i -e "s|^B=.*|B='$brokers'|" -e 's|^kcat -C |timeout 10 kcat -C |' "$example"
bash "$example" >"$work/kcat.out" 2>"$work/kcat.err" || [[ $? -eq 124 ]] || fail "the README's kcat example failed" "$work/kcat.err"
grep -q '"event_id":"att-1".*"outcome":"allowed"' "$work/kcat.out" || fail "no verdict for att-1 from the README's kcat example" "$work/kcat.out"
attempt_partition=$(timeout 10 kcat -C -b "$brokers" -t sly.transaction-attempt.v1 -e -q -f '%k %p\n' | awk '$1 == "t-1" {print $2; exit}')
verdict_partition=$(timeout 10 kcat -C -b "$brokers" -t sly.transaction-verdict.v1 -e -q -f '%k %p\n' | awk '$1 == "t-1" {print $2; exit}')
[[ -n $attempt_partition && $attempt_partition == "$verdict_partition" ]] ||
  fail "the README's attempt went to partition '$attempt_partition', LiveGate put its verdict on '$verdict_partition'"
# The banner's signed commands: an admin's ceiling for t-1, settlement's resolution of the README's att-1.
run_banner_line "Decide as the admin:" "$log"
run_banner_line "Release as settlement:" "$log"

kill -INT "$dev_pid"
status=0
timeout 30 tail --pid="$dev_pid" -f /dev/null || fail "livegate dev still runs 30 s after SIGINT" "$log"
wait "$dev_pid" || status=$?
dev_pid=""
((status == 0)) || fail "livegate dev exited $status after SIGINT" "$log"
echo "run-command: from nothing: banner after ${banner} s, demo story ${story} s later, kcat verdict on partition $verdict_partition, the banner's decide and resolve accepted, exit 0 on SIGINT"
passed=$((passed + 1))

# 2. From a stopped, initialised server.
deploy/postgres.sh stop >/dev/null
[[ -f $LIVEGATE_PG_DIR/PG_VERSION ]] || fail "the first run left no initialised folder"
[[ $(deploy/postgres.sh status || true) == stopped ]] || fail "the private server did not stop"
log=$work/dev-stopped.log
start=$SECONDS
status=0
timeout 300 deploy/dev.sh --demo --exit-after-demo >"$log" 2>&1 || status=$?
((status == 0)) || fail "deploy/dev.sh --demo --exit-after-demo exited $status (124: still running after 300 s)" "$log"
grep -qF "Kafka bootstrap" "$log" || fail "no banner" "$log"
check_story "$log"
echo "run-command: from a stopped server: demo story and exit 0 in $((SECONDS - start)) s"
passed=$((passed + 1))

echo "run-command: $passed passed, 0 failed"
