#!/usr/bin/env bash
# Parses every PromQL expression of a Grafana dashboard with Prometheus's own parser, offline:
# panel targets and the label_values(...) selectors of template variables become recording rules of a
# temporary rules file, which `promtool check rules` parses. Grafana's variables are replaced first:
# $__rate_interval/$__interval by 5m/1m, $__range by 1h, any other $var or ${var} by .* (a regex).
#
# Usage: packaging/prometheus/check-dashboard.sh [DASHBOARD.json] [--print]
#   default dashboard: packaging/prometheus/grafana-dashboard.json
#   --print  also print the substituted expressions, one per line (the tests query them)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DASHBOARD=$HERE/grafana-dashboard.json PRINT=0
for arg; do
  case $arg in
    --print) PRINT=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) DASHBOARD=$arg ;;
  esac
done

exprs=$(jq -r '
  def substituted:
    gsub("\\$__rate_interval"; "5m") | gsub("\\$__interval"; "1m") | gsub("\\$__range"; "1h")
    | gsub("\\$\\{[A-Za-z0-9_]+\\}|\\$[A-Za-z_][A-Za-z0-9_]*"; ".*");
  ([.. | objects | select(has("targets")) | .targets[] | .expr // empty]
   + [.templating.list[] | select(.type == "query") | (.query.query // .query) | capture("^label_values\\((?<s>.*),\\s*[A-Za-z_]+\\)$").s])
  | .[] | substituted' "$DASHBOARD")
count=$(grep -c . <<<"$exprs" || true)
((count > 0)) || { echo "check-dashboard: no expressions in $DASHBOARD" >&2; exit 1; }

rules=$(mktemp --suffix=.yml)
trap 'rm -f "$rules"' EXIT
{
  echo "groups:"
  echo "  - name: dashboard"
  echo "    rules:"
  i=0
  while IFS= read -r expr; do
    i=$((i + 1))
    echo "      - record: dashboard:expr_$i"
    echo "        expr: $(jq -Rn --arg e "$expr" '$e')"
  done <<<"$exprs"
} >"$rules"
if ! out=$(promtool check rules "$rules" 2>&1); then
  echo "$out" >&2
  echo "check-dashboard: $DASHBOARD has expressions Prometheus cannot parse (above)" >&2
  exit 1
fi
((PRINT == 0)) || printf '%s\n' "$exprs"
echo "check-dashboard: $count expressions parse" >&2
