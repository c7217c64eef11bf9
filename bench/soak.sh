#!/usr/bin/env bash
# Soak: many failovers and failbacks across all lab modes, at random times, with occasional flaps
# shorter than a probe interval, against `rebound run` with its journal, DNS updates and heal targets.
#
# It checks, from the event stream and the journal:
#   - every switch is reported (no missed event) and nothing else is (no spurious event): each
#     address event must move the reported state from what it was to a state the lab really had;
#     a flap the watcher happened to see counts as "flap seen" only if it is reported both ways;
#   - every heal-started ends in heal-verified or heal-failed;
#   - memory (VmRSS) and open file descriptors do not grow between warm-up and the end;
#   - the journal holds every event the agent printed, and SQLite's integrity_check says "ok";
#   - after each mode the DNS record at the lab's BIND holds the final public address;
#   - once per mode the agent is killed with SIGKILL right after a heal started, and started again on the
#     same state: the journal stays intact, the new run diagnoses before acting, and the tunnel works.
#
# A WireGuard tunnel (lab.sh wg ID up client) from the LAN host is a [[wireguard]] heal target in every mode.
#
# Usage: sudo bench/soak.sh [--switches N] [--modes "masquerade pinned renumber blackhole"] [--flap-every K]
#        N switches in total, split over the modes (default 200); a flap before about 1 in K switches.
# Env:   REBOUND_BIN  binary to run (default: artifacts/publish/rebound, AOT-published if missing)
# Out:   markdown summary on stdout; events, journal exports and samples in bench/results/soak-<UTC time>/
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB=$ROOT/lab/lab.sh
BENCH_LIB=1 source "$ROOT/bench/detection.sh"

SWITCHES=200 MODES="masquerade pinned renumber blackhole" FLAP_EVERY=6 TIMEOUT=30
while (($#)); do
  case $1 in
    --switches) SWITCHES=$2; shift ;;
    --modes) MODES=$2; shift ;;
    --flap-every) FLAP_EVERY=$2; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
[[ $(id -u) == 0 ]] || { echo "soak: must run as root (the lab uses network namespaces)" >&2; exit 2; }
cd "$ROOT"
scripts/install-deps
BIN=${REBOUND_BIN:-$ROOT/artifacts/publish/rebound}
if [[ -z ${REBOUND_BIN:-} && ! -x $BIN ]]; then
  dotnet publish src/Rebound.Cli -c Release -r linux-x64 -o artifacts/publish -nologo -v quiet >&2
fi

OUT=$ROOT/bench/results/soak-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
SUMMARY=$OUT/modes.csv
echo "mode,switches,reported,missed,spurious,flaps,flaps_seen,heals_started,heals_ended,heals_open,kills,tunnel_ok,rss_start_kb,rss_end_kb,fds_start,fds_end,printed,journaled,integrity,dns_ok" >"$SUMMARY"
LAT=$OUT/latency.csv
echo "mode,direction,latency_ms" >"$LAT"

ID="" RPID=""
cleanup() {
  [[ -n $RPID ]] && kill "$RPID" 2>/dev/null || true
  [[ -n $ID ]] && "$LAB" down "$ID" >/dev/null 2>&1 || true
}
trap cleanup EXIT

rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
fds() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 | wc -l; }
# The rebound process itself (not the `ip netns exec` wrapper, which execs into it: same pid).
random_between() { awk -v a="$1" -v b="$2" -v r="$RANDOM" 'BEGIN { printf "%.3f", a + (b - a) * r / 32768 }'; }

# The reported WAN state as the events move it: an address, or "none" while the upstream is lost.
REPORTED="" SEEN=0 SPURIOUS=0 FLAPS_SEEN=0
# Reads new event lines; applies address events to REPORTED. States the lab really had: $1 and $2.
consume() { # EVENTS STATE_A STATE_B
  local events=$1 a=$2 b=$3 line ev old new
  while (($(wc -l <"$events") > SEEN)); do
    SEEN=$((SEEN + 1))
    line=$(sed -n "${SEEN}p" "$events")
    ev=$(jq -r '.event // empty' <<<"$line" 2>/dev/null || true)
    case $ev in
      started)
        # A restarted agent (after the SIGKILL) begins from what it sees now: that is its new baseline.
        REPORTED=$(jq -r '.addresses.ipv4 // "none"' <<<"$line") ;;
      public-address-changed)
        old=$(jq -r '.old // "none"' <<<"$line") new=$(jq -r .new <<<"$line")
        if [[ $old != "$REPORTED" && $REPORTED != none ]] || [[ $new != "$a" && $new != "$b" ]] || [[ $new == "$REPORTED" ]]; then
          SPURIOUS=$((SPURIOUS + 1)); echo "soak: spurious: $line" >&2
        fi
        REPORTED=$new ;;
      upstream-lost)
        if [[ $b != none && $a != none ]] || [[ $REPORTED == none ]]; then SPURIOUS=$((SPURIOUS + 1)); echo "soak: spurious: $line" >&2; fi
        REPORTED=none ;;
      upstream-restored)
        new=$(jq -r .address <<<"$line")
        if [[ $REPORTED != none ]] || [[ $new != "$a" && $new != "$b" ]]; then SPURIOUS=$((SPURIOUS + 1)); echo "soak: spurious: $line" >&2; fi
        REPORTED=$new ;;
    esac
  done
}

KILL_AT=5
# After a switch: waits for the address event, SIGKILLs the agent at once (its heal targets are being
# diagnosed then: the heal is under way, not finished), starts it again on the same state and waits for its
# "started". The new run must find the pinned tunnel by itself. Returns 1 when nothing was killed.
kill_mid_heal() { # EVENTS ADDRESS_EVENTS_BEFORE_THE_SWITCH
  local events=$1 before=$2 deadline
  deadline=$(($(date +%s) + TIMEOUT))
  until (($(grep -c '"event":"public-address-changed"' "$events" || true) > before)); do
    (($(date +%s) < deadline)) || return 1
    sleep 0.005
  done
  kill -KILL "$RPID"; wait "$RPID" 2>/dev/null || true
  echo "soak: killed the agent mid-heal; starting it again" >&2
  local started
  started=$(grep -c '"event":"started"' "$events" || true)
  start_agent
  deadline=$(($(date +%s) + TIMEOUT))
  until (($(grep -c '"event":"started"' "$events" || true) > started)); do
    (($(date +%s) < deadline)) || { echo "soak: the agent did not start again" >&2; return 1; }
    sleep 0.05
  done
}

run_mode() { # MODE N
  local mode=$1 n=$2 a=198.51.100.2 b state events i dir sw_t deadline missed=0 flaps=0 reported=0
  case $mode in
    masquerade | pinned) b=192.0.2.2 ;;
    renumber) b=198.51.100.3 ;;
    blackhole) b=none ;;
  esac
  ID=s$(printf '%05x' $((RANDOM * 32 + RANDOM % 32)))
  "$LAB" up "$ID" "$mode" 2>/dev/null
  local key work
  key=$("$LAB" dns "$ID")
  "$LAB" wg "$ID" up client >/dev/null
  work=/run/rebound-lab/$ID/soak
  mkdir -p "$work/state"
  cat >"$work/rebound.toml" <<EOF
[watch]
servers = ["203.0.113.10:3478", "203.0.113.11:3478"]
interval = "1s"

[state]
directory = "$work/state"

[[ddns]]
provider = "rfc2136"
server = "203.0.113.53"
zone = "home.test"
names = ["gw.home.test"]
families = ["ipv4"]
ttl = 60
key_file = "$key"

[http]
listen = "off"

[[wireguard]]
interface = "wl$ID"
verify_ping = ["10.99.0.1"]
EOF
  events=$OUT/events-$mode.jsonl
  start_agent() { ip netns exec "rb${ID}lan" "$BIN" run --config "$work/rebound.toml" --json >>"$events" 2>>"$OUT/stderr-$mode.log" & RPID=$!; }
  start_agent
  deadline=$(($(date +%s) + TIMEOUT))
  until grep -q '"event":"started"' "$events" 2>/dev/null; do
    (($(date +%s) < deadline)) && kill -0 "$RPID" 2>/dev/null || { echo "soak: rebound did not start ($mode)" >&2; cat "$OUT/stderr-$mode.log" >&2; return 1; }
    sleep 0.05
  done
  REPORTED=$a SEEN=1 SPURIOUS=0 FLAPS_SEEN=0
  state=$a
  local rss0="" fds0="" kills=0
  for ((i = 1; i <= n; i++)); do
    # Sometimes a flap first: the other state for 50-300 ms, then back, shorter than a probe interval.
    if ((RANDOM % FLAP_EVERY == 0)); then
      flaps=$((flaps + 1))
      if [[ $state == "$a" ]]; then "$LAB" failover "$ID" >/dev/null; sleep "$(random_between 0.05 0.3)"; "$LAB" failback "$ID" >/dev/null
      else "$LAB" failback "$ID" >/dev/null; sleep "$(random_between 0.05 0.3)"; "$LAB" failover "$ID" >/dev/null; fi
      sleep 3
      consume "$events" "$a" "$b"
      [[ $REPORTED == "$state" ]] || { SPURIOUS=$((SPURIOUS + 1)); echo "soak: after a flap the reported state is $REPORTED, not $state" >&2; REPORTED=$state; }
    fi
    sleep "$(random_between 1.5 4)"
    consume "$events" "$a" "$b"
    if [[ $state == "$a" ]]; then dir=failover state=$b; else dir=failback state=$a; fi
    local heals_before
    heals_before=$(grep -c '"event":"public-address-changed"' "$events" || true)
    sw_t=$("$LAB" "$dir" "$ID" | awk '{ print $2 }')
    deadline=$(($(date +%s) + TIMEOUT))
    until consume "$events" "$a" "$b"; [[ $REPORTED == "$state" ]]; do
      if (($(date +%s) >= deadline)) || ! kill -0 "$RPID" 2>/dev/null; then missed=$((missed + 1)); echo "soak: $mode switch $i ($dir) not reported" >&2; REPORTED=$state; break; fi
      sleep 0.02
    done
    if [[ $REPORTED == "$state" ]] && ((SEEN > 0)); then
      reported=$((reported + 1))
      local t_ev
      t_ev=$(event_epoch "$(sed -n "${SEEN}p" "$events")")
      echo "$mode,$dir,$(ms_between "$sw_t" "$t_ev")" >>"$LAT"
    fi
    if ((i == KILL_AT)) && [[ $mode != blackhole ]]; then kill_mid_heal "$events" "$heals_before" && kills=$((kills + 1)); fi
    if ((i == KILL_AT + 10)); then rss0=$(rss_kb "$RPID") fds0=$(fds "$RPID"); fi
    ((i % 10 == 0)) && echo "soak: $mode $i/$n switches" >&2
  done
  # Flaps seen = address events beyond one per real switch, all of which were consistent.
  local addr_events
  addr_events=$(grep -cE '"event":"(public-address-changed|upstream-lost|upstream-restored)"' "$events" || true)
  FLAPS_SEEN=$(((addr_events - reported - SPURIOUS) / 2))
  sleep 3
  local rss1 fds1
  rss1=$(rss_kb "$RPID") fds1=$(fds "$RPID")
  local tunnel_ok
  tunnel_ok=$(ip netns exec "rb${ID}lan" ping -c 3 -i 0.2 -W 1 10.99.0.1 >/dev/null 2>&1 && echo yes || echo no)
  kill -TERM "$RPID"; wait "$RPID" 2>/dev/null || true; RPID=""

  local started ended open printed journaled integrity dns_ok final
  started=$(grep -c '"event":"heal-started"' "$events" || true)
  ended=$(grep -cE '"event":"heal-(verified|failed)"' "$events" || true)
  open=$((started - ended))
  printed=$(grep -c '^{' "$events" || true)
  journaled=$("$BIN" events --config "$work/rebound.toml" --json 2>/dev/null | grep -c '^{' || true)
  if [[ -f $work/state/journal.db ]]; then
    integrity=$(sqlite3 -readonly "$work/state/journal.db" 'PRAGMA integrity_check;' 2>&1 | head -n1 || true)
  else
    integrity="no journal"
  fi
  cp "$work/state/journal.db" "$OUT/journal-$mode.db" 2>/dev/null || true
  final=$([[ $state == none ]] && echo "$a" || echo "$state")
  dns_ok=$([[ $(ip netns exec "rb${ID}net" dig +short @203.0.113.53 gw.home.test A) == "$final" ]] && echo yes || echo no)
  echo "$mode,$n,$reported,$missed,$SPURIOUS,$flaps,$FLAPS_SEEN,$started,$ended,$open,$kills,$tunnel_ok,$rss0,$rss1,$fds0,$fds1,$printed,$journaled,$integrity,$dns_ok" >>"$SUMMARY"
  "$LAB" down "$ID" 2>/dev/null
  ID=""
}

read -ra MODE_LIST <<<"$MODES"
PER_MODE=$(((SWITCHES + ${#MODE_LIST[@]} - 1) / ${#MODE_LIST[@]}))
for mode in "${MODE_LIST[@]}"; do
  echo "soak: mode $mode, $PER_MODE switches" >&2
  run_mode "$mode" "$PER_MODE"
done

{
  echo "Soak: $((PER_MODE * ${#MODE_LIST[@]})) switches (failovers and failbacks) over ${MODES}, random 1.5-4 s apart, a 50-300 ms flap before about 1 in $FLAP_EVERY; $(basename "$BIN")"
  echo
  echo "| mode | switches | reported | missed | spurious | flaps (seen) | heals started/ended (open) | SIGKILL mid-heal | tunnel at end | RSS KiB | fds | events printed/journaled | integrity | DNS final |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  tail -n +2 "$SUMMARY" | while IFS=, read -r m n r mi sp fl fs hs he op ki tu r0 r1 f0 f1 pr jo ig dn; do
    echo "| $m | $n | $r | $mi | $sp | $fl ($fs) | $hs/$he ($op) | $ki | $tu | $r0 → $r1 | $f0 → $f1 | $pr/$jo | $ig | $dn |"
  done
  echo
  echo "Detection latency over the soak (switch → event), ms:"
  echo
  echo "| mode | direction | n | p50 | p95 | max |"
  echo "|---|---|---|---|---|---|"
  for m in "${MODE_LIST[@]}"; do
    for d in failover failback; do
      lat=$(awk -F, -v m="$m" -v d="$d" '$1 == m && $2 == d { print $3 }' "$LAT")
      echo "| $m | $d | $(grep -c . <<<"$lat" || true) | $(percentile 50 <<<"$lat") | $(percentile 95 <<<"$lat") | $(percentile 100 <<<"$lat") |"
    done
  done
  echo
  echo "Raw: ${OUT#"$ROOT"/}/"
} | tee "$OUT/summary.md"
