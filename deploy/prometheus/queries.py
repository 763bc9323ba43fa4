#!/usr/bin/env python3
"""Every alert rule of deploy/prometheus/alerts.yml and every query of deploy/grafana/livegate.json.

    python3 deploy/prometheus/queries.py

prints one line per alert and per dashboard query, tab-separated:

    alert   <alert name>
    query   <panel title>   <expr, with $__rate_interval as 1m>

so a test running Prometheus against live LiveGate processes can evaluate each. Grafana's own variables are
made concrete the way Grafana would for a 15 s scrape interval; `${datasource}` only picks the data source and
never appears in an expression. deploy/check.sh imports the functions below to check metric names.
"""
import json
import re
import sys
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent.parent
ALERTS = DEPLOY / "prometheus" / "alerts.yml"
DASHBOARD = DEPLOY / "grafana" / "livegate.json"

# What Grafana substitutes in a query, and with what here.
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "${__rate_interval}": "1m", "$__interval": "1m", "${__interval}": "1m"}


def alert_rules(path=ALERTS):
    """(name, expr) of every alerting rule, in file order."""
    text = Path(path).read_text()
    try:
        import yaml
    except ImportError:
        return _alert_rules_without_yaml(text)
    rules = []
    for group in yaml.safe_load(text)["groups"]:
        for rule in group["rules"]:
            if "alert" in rule:
                rules.append((rule["alert"], rule["expr"].strip()))
    return rules


def _alert_rules_without_yaml(text):
    """The same for a machine without PyYAML: enough YAML for alerts.yml's layout (`- alert: X`, then
    `expr:` inline or as a `|` block), and refusing anything it does not understand."""
    rules, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        match = re.match(r"^\s*- alert:\s*(\S+)\s*$", lines[i])
        i += 1
        if not match:
            continue
        name, expr = match.group(1), None
        while i < len(lines) and not re.match(r"^\s*- (alert|record):", lines[i]):
            found = re.match(r"^(\s*)expr:\s*(.*)$", lines[i])
            i += 1
            if not found:
                continue
            indent, value = len(found.group(1)), found.group(2).strip()
            if value not in ("|", "|-", ">", ">-"):
                expr = value.strip("'\"")
                continue
            block = []
            while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent):
                block.append(lines[i].rstrip())
                i += 1
            block = [line for line in block if line]
            margin = min((len(line) - len(line.lstrip()) for line in block), default=0)
            expr = (" " if value.startswith(">") else "\n").join(line[margin:] for line in block)
        if not expr:
            raise ValueError(f"{ALERTS.name}: no expr found for alert {name}")
        rules.append((name, expr))
    return rules


def _panels(panels):
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels", []))  # the panels of a collapsed row


def dashboard_panels(path=DASHBOARD):
    """Every panel of the dashboard, rows included, collapsed rows' panels too."""
    return list(_panels(json.loads(Path(path).read_text())["panels"]))


def concrete(expr):
    for variable, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, value)
    return " ".join(expr.split())  # one line: no tabs or newlines in the output


def dashboard_queries(path=DASHBOARD):
    """(panel title, expr) of every target, Grafana's variables made concrete."""
    return [(panel["title"], concrete(target["expr"]))
            for panel in dashboard_panels(path) for target in panel.get("targets", [])]


def main():
    out = sys.stdout
    for name, _ in alert_rules():
        out.write(f"alert\t{name}\n")
    for title, expr in dashboard_queries():
        out.write(f"query\t{title}\t{expr}\n")


if __name__ == "__main__":
    main()
