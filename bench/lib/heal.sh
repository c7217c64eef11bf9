# shellcheck shell=bash
# What the heal benchmarks (bench/heal-wireguard.sh, heal-nebula.sh, heal-flow.sh) share: the statistics, the
# lab and agent around a run, the failover/failback cycles and the report. Sourced; defines functions only
# until heal_setup is called. The helpers above "machinery" are testable on their own (BenchScriptTests).
BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_LIB=1 source "$BENCH_ROOT/bench/detection.sh" # percentile, random_delay; ms_between is redefined below

# Milliseconds between two unix times given as decimal strings (0 when restored before the switch was stamped).
ms_between() { awk -v a="$1" -v b="$2" 'BEGIN { v = (b - a) * 1000; if (v < 0.5) v = 0; printf "%.0f", v }'; }
# From `ping -D -O`-style output on stdin: the time of the first answer after SWITCH that follows an unanswered
# echo after SWITCH ("no answer yet"), or SWITCH itself when nothing went unanswered and answers kept coming.
# Prints nothing when the tunnel did not come back in the log.
restored_at() { # SWITCH
  awk -v s="$1" '
    match($0, /^\[[0-9]+\.[0-9]+\]/) {
      t = substr($0, 2, RLENGTH - 2) + 0
      if (t <= s) next
      if ($0 ~ /no answer yet/) { gap = 1; next }
      if ($0 ~ /bytes from/) { if (gap) { printf "%.6f\n", t; exit } else if (!seen) { seen = 1; first = t } }
    }
    END { if (!gap && seen) printf "%.6f\n", s }'
}
# The report's table from samples.csv (mode,direction,cycle,switch_time,restored_time,restored_ms).
heal_table() { # SAMPLES
  local dir rows lat
  echo "| direction | restored | p50 ms | p95 ms | max ms |"
  echo "|---|---|---|---|---|"
  for dir in failover failback; do
    rows=$(awk -F, -v d="$dir" '$2 == d' "$1")
    lat=$(awk -F, '$6 != "" { print $6 }' <<<"$rows")
    echo "| $dir | $(grep -c . <<<"$lat" || true)/$(grep -c . <<<"$rows" || true) | $(percentile 50 <<<"$lat") | $(percentile 95 <<<"$lat") | $(percentile 100 <<<"$lat") |"
  done
}

# ---- machinery (root, a lab). The script sets CYCLES, MODE, BASELINE, TIMEOUT before heal_setup.
LAB=$BENCH_ROOT/lab/lab.sh
HEAL_PIDS=()
heal_cleanup() {
  local p
  for p in "${HEAL_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [[ -n ${ID:-} ]] && "$LAB" down "$ID" >/dev/null 2>&1 || true
}

# Checks the common options, finds (or publishes) the binary, makes OUT and SAMPLES, picks the lab ID
# (BENCH_LAB_ID, else PREFIX and 5 random hex digits) and tears the lab down on exit.
heal_setup() { # RESULT-SUFFIX ID-PREFIX
  [[ $CYCLES =~ ^[0-9]+$ ]] && ((CYCLES > 0)) || { echo "--cycles must be a positive integer" >&2; exit 2; }
  [[ $(id -u) == 0 ]] || { echo "bench: must run as root (the lab uses network namespaces)" >&2; exit 2; }
  cd "$BENCH_ROOT"
  BIN=${REBOUND_BIN:-$BENCH_ROOT/artifacts/publish/rebound}
  if ((!BASELINE)); then
    if [[ -z ${REBOUND_BIN:-} && ! -x $BIN ]]; then
      echo "bench: publishing the AOT binary to artifacts/publish" >&2
      dotnet publish src/Rebound.Cli -c Release -r linux-x64 -o artifacts/publish -nologo -v quiet >&2
    fi
    [[ -x $BIN ]] || { echo "bench: $BIN is not executable" >&2; exit 2; }
  fi
  OUT=$BENCH_ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-$1
  mkdir -p "$OUT"
  SAMPLES=$OUT/samples.csv
  echo "mode,direction,cycle,switch_time,restored_time,restored_ms" >"$SAMPLES"
  ID=${BENCH_LAB_ID:-$2$(printf '%05x' $((RANDOM * 32 + RANDOM % 32)))}
  trap heal_cleanup EXIT
}

# The [watch], [state] and [http] tables every run's rebound.toml starts with.
heal_toml_head() {
  cat <<TOML
[watch]
servers = ["203.0.113.10:3478", "203.0.113.11:3478"]
interval = "1s"

[state]
directory = "$OUT/state"

[http]
listen = "off"
TOML
}

# Starts `rebound run` on $OUT/rebound.toml in namespace NS (unless BASELINE) and waits out its first round.
heal_start_rebound() { # NS
  ((BASELINE)) && return 0
  ip netns exec "$1" "$BIN" run --config "$OUT/rebound.toml" --json >"$OUT/events.jsonl" 2>"$OUT/stderr.log" &
  HEAL_PIDS+=($!)
  sleep 3 # first STUN round and startup diagnosis
  kill -0 "${HEAL_PIDS[-1]}" 2>/dev/null || { echo "bench: rebound exited" >&2; cat "$OUT/stderr.log" >&2; exit 1; }
}

# Waits until LOG shows the traffic restored after SWITCH; prints the time, or fails after TIMEOUT.
heal_wait_restored() { # SWITCH LOG
  local deadline t
  deadline=$(awk -v s="$1" -v n="$TIMEOUT" 'BEGIN { printf "%d", s + n }')
  while (($(date +%s) <= deadline)); do
    t=$(restored_at "$1" <"$2")
    # Settled only once the log runs past the candidate (a later gap could still come after an early answer).
    if [[ -n $t ]] && awk -v t="$t" -v now="$(date +%s.%N)" 'BEGIN { exit !(now > t + 0.5) }'; then
      echo "$t"
      return 0
    fi
    sleep 0.1
  done
  return 1
}

# CYCLES failovers and failbacks, each after a random 2-3 s, into SAMPLES. A switch not restored within TIMEOUT:
# with BASELINE, RESET (a function: fail back, restart the traffic) and on to the next cycle.
heal_cycles() { # LOG WHAT RESET
  local cycle dir sw_t t
  for ((cycle = 1; cycle <= CYCLES; cycle++)); do
    for dir in failover failback; do
      sleep "$(random_delay)"
      if declare -F heal_before_switch >/dev/null; then heal_before_switch "$dir"; fi
      sw_t=$("$LAB" "$dir" "$ID" | awk '{ print $2 }')
      if t=$(heal_wait_restored "$sw_t" "$1"); then
        echo "$MODE,$dir,$cycle,$sw_t,$t,$(ms_between "$sw_t" "$t")" >>"$SAMPLES"
      else
        echo "$MODE,$dir,$cycle,$sw_t,," >>"$SAMPLES"
        echo "bench: $MODE $dir $cycle: $2 not restored within ${TIMEOUT}s" >&2
        if ((BASELINE)); then
          [[ $dir == failover ]] && "$LAB" failback "$ID" >/dev/null
          "$3"
          break
        fi
      fi
    done
    echo "bench: cycle $cycle/$CYCLES done" >&2
  done
}

# The summary: a first line (TITLE), the table, where the raw samples are; on stdout and in OUT/summary.md.
heal_report() { # TITLE
  {
    echo "$1"
    echo
    heal_table "$SAMPLES"
    echo
    echo "Raw samples: ${OUT#"$BENCH_ROOT"/}/"
  } | tee "$OUT/summary.md"
}

# --compare: the same benchmark with and without Rebound at once, each on a lab of its own (same time, same
# machine load), then both summaries. ARGS are the script's arguments without --compare and --baseline.
heal_compare() { # SCRIPT ARGS...
  local script=$1 dir
  shift
  dir=$(mktemp -d)
  BENCH_LAB_ID=${BENCH_LAB_ID:+${BENCH_LAB_ID}s} "$script" "$@" --baseline >"$dir/baseline.md" 2>"$dir/baseline.err" &
  local base=$!
  BENCH_LAB_ID=${BENCH_LAB_ID:+${BENCH_LAB_ID}r} "$script" "$@" >"$dir/rebound.md" 2>"$dir/rebound.err" &
  local with=$!
  local rc=0
  wait "$base" || rc=$?
  wait "$with" || rc=$?
  echo "Side by side in one run ($(date -u +%Y-%m-%dT%H:%MZ), load average $(cut -d' ' -f1-3 /proc/loadavg)):"
  echo
  cat "$dir/baseline.md"
  echo
  cat "$dir/rebound.md"
  ((rc == 0)) || { cat "$dir/baseline.err" "$dir/rebound.err" >&2; }
  rm -rf "$dir"
  return "$rc"
}
