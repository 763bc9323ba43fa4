#!/usr/bin/env bash
# How long a what-if takes at its bound (50,000 attempts). For a throwaway database only: it copies a demo
# tenant's retained attempts until the tenant has 50,000, then times `livegate simulate` three times.
#   livegate dev --demo --exit-after-demo            # prints "Demo tenant demo-…" and the database URL
#   Tests/Scripts/simulate-50k.sh DATABASE_URL demo-…
set -euo pipefail
cd "$(dirname "$0")/../.."
url=${1:?database URL} tenant=${2:?demo tenant id}
bin="$(swift build --show-bin-path)/livegate"
# A row of encoding 2 leaves out the replayed amount it booked (migration 15): VerdictColumns.replayAmount.
replayable="(CASE WHEN p.verdict_encoding = 2 THEN coalesce(p.replay_micros, p.booked_micros)
  ELSE p.replay_micros END) IS NOT NULL"
have=$(psql "$url" -Atc "SELECT count(*) FROM processed_events p WHERE p.tenant_id = '$tenant' AND $replayable")
((have > 0)) || { echo "$tenant has no replayable attempts in $url" >&2; exit 1; }
copies=$(((50000 - have + have - 1) / have))
facts="verdict_encoding, verdict_status, verdict_code, verdict_reason, verdict_environment, verdict_rail,
  verdict_currency, verdict_amount_micros, verdict_window, verdict_used_micros, verdict_max_now_micros,
  verdict_retry_at, ceiling_per_tx_micros, ceiling_daily_micros, ceiling_monthly_micros, ceiling_disabled,
  ceiling_override, ceiling_expires_at, decided_at, verdict_digest"
psql "$url" -q -v ON_ERROR_STOP=1 -c "
  INSERT INTO processed_events (event_id, tenant_id, event_type, fingerprint, fingerprint_sha256, outputs,
      changed_tenant, booked_micros, booked_day, processed_at, occurred_at, applied_seq, replay_micros, $facts)
  SELECT p.event_id || '-copy-' || g, p.tenant_id, p.event_type, p.fingerprint, p.fingerprint_sha256, p.outputs,
      p.changed_tenant, p.booked_micros, p.booked_day, p.processed_at, now() - interval '7 days' + g * interval '1 second',
      nextval('processed_events_applied_seq'), p.replay_micros, $facts
  FROM generate_series(1, $copies) AS g, processed_events AS p
  WHERE p.tenant_id = '$tenant' AND $replayable AND p.event_id NOT LIKE '%-copy-%'"
TIMEFORMAT='simulate: %R s (wall, process start included)'
for _ in 1 2 3; do
  time "$bin" simulate "$tenant" --per-tx 250 --daily 3000 --database-url "$url" | head -n 1
done
