#!/usr/bin/env bash
# Throughput and latency of `livegate serve` under wrk (release build), beside a baseline measured in the same
# run on the same server: /healthz, the same HTTP stack without PostgreSQL. Figures, not a test.
#   deploy/serve-bench.sh [--duration 10] [--connections 32] [--tenants 1000]
# Tenants t-1 … t-N are first given an approval and usage (so each request reads a tenant row and two usage
# windows, as a real one does), in a schema of the bench's own that is dropped at the end: the server named by
# LIVEGATE_DATABASE_URL (else the private PostgreSQL) gets no rows of it.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=10 connections=32 tenants=1000
while (($#)); do
  case $1 in
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --tenants) tenants=$2; shift 2 ;;
    *) echo "usage: deploy/serve-bench.sh [--duration S] [--connections N] [--tenants N]" >&2; exit 64 ;;
  esac
done

deploy/setup.sh --for-tests
swift build -c release --product livegate >&2
bin="$(swift build -c release --show-bin-path)/livegate"
server=${LIVEGATE_DATABASE_URL:-$(LIVEGATE_BIN=$bin deploy/postgres.sh start)}
psql=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/psql
schema="serve_bench_$$"
"$psql" -q "$server" -c "CREATE SCHEMA $schema" >&2
separator="?"
[[ $server == *"?"* ]] && separator="&"
url="$server${separator}options=-csearch_path%3D$schema"
export LIVEGATE_DATABASE_URL=$url
"$bin" migrate >&2
"$psql" -q "$url" -v n="$tenants" <<'SQL' >&2
INSERT INTO tenants (tenant_id, state, declared_at, reviewed_at, review_notes, version)
SELECT 't-' || i, 'production_approved', now(), now(), 'bench', 2 FROM generate_series(1, :n) AS i
ON CONFLICT (tenant_id) DO NOTHING;
INSERT INTO usage_windows (tenant_id, window_kind, window_start, used_micros, limit_micros)
SELECT 't-' || i, k, CASE k WHEN 'day' THEN date_trunc('day', now() AT TIME ZONE 'UTC')
                              ELSE date_trunc('month', now() AT TIME ZONE 'UTC') END,
       1000000 * (i % 400), CASE k WHEN 'day' THEN 500000000 ELSE 2000000000 END
FROM generate_series(1, :n) AS i, (VALUES ('day'), ('month')) AS kinds (k)
ON CONFLICT DO NOTHING;
SQL

port=18089
"$bin" serve --listen "127.0.0.1:$port" --max-in-flight 4096 --log-level warning &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; "$psql" -q "$server" -c "SET client_min_messages = warning; DROP SCHEMA $schema CASCADE" >&2' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done

measure() {  # wrk's arguments; prints: requests/s, p50 ms, p99 ms, non-2xx responses
  wrk -t2 -c"$connections" -d"${duration}s" --latency "$@" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec:/ { rps = $2 } /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) } /Non-2xx/ { bad = $NF }
    END { printf "%.0f %.2f %.2f %d\n", rps, p50, p99, bad }'
}

echo "livegate serve, wrk -t2 -c$connections -d${duration}s, $tenants tenants, $(nproc) cores"
read -r base_rps base_p50 base_p99 base_bad < <(measure "http://127.0.0.1:$port/healthz")
read -r rps p50 p99 bad < <(TENANTS=$tenants measure -s deploy/wrk/status.lua "http://127.0.0.1:$port")
printf '%-30s %8s req/s   p50 %6s ms   p99 %6s ms   non-2xx %s\n' \
  "baseline: GET /healthz" "$base_rps" "$base_p50" "$base_p99" "$base_bad" \
  "GET production-status" "$rps" "$p50" "$p99" "$bad"
awk -v a="$rps" -v b="$base_rps" 'BEGIN { if (b > 0) printf "production-status ÷ baseline throughput: %.3f\n", a / b }'
