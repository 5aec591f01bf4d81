#!/usr/bin/env bash
# Issue 16's figure "put p99 while a snapshot is being written is at most 2x the p99 without one",
# for a large state: a fresh three-node cluster per run holds KEYS keys (100-byte values, FillKeys),
# then `raft-kv bench --mode put` (64 clients, 100-byte values, over BENCH_KEYS keys) runs WARMUP s
# unmeasured and SECONDS s measured, in two configurations alternated, PAIRS pairs:
#   snap: the server's snapshot policy defaults (every 10,000 entries or 16 MiB of log): at several
#         thousand puts/s one is due every second or two, and a snapshot of a million keys takes
#         seconds, so each node is writing one nearly all the time (checked: snapshots taken in the
#         window and their durations, from each node's /metrics, are printed)
#   none: no snapshot at all (--snapshot-every-entries 1000000000 --snapshot-every-bytes 1 TiB);
#         its log holds the fill uncompacted (the log store reads it from disk on demand)
# The bench keys ("key-N") are not FillKeys' ("key-%08d"): over BENCH_KEYS=1000 the state stays at
# KEYS + 1,000 keys in every run, so both configurations write to the same state and each snapshot
# has the same size; over a million bench keys every run would add new keys unevenly.
#
#   ./mvnw -B -ntp -o -q -pl raft-statemachine-kv,benchmarks -am package -DskipTests && benchmarks/snapshot-p99.sh
# Environment: PAIRS (3), KEYS (1000000), BENCH_KEYS (1000), SECONDS_MEASURED (20), WARMUP (10),
# KV_JAR, KV_JAVA_OPTS (JVM flags of every node), SNAP_FLAGS (server flags of the 'snap' runs, none
# by default: the defaults), THREADS=1 prints the leader's CPU per thread over the measured window,
# KEEP=1 keeps the data directories and logs. Ports 7401-7403 (Raft) and 8401-8403 (HTTP); data
# under /tmp/wip7-p99 unless P99_DIR says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
KV_RAFT_PORT=${KV_RAFT_PORT:-7400} KV_HTTP_PORT=${KV_HTTP_PORT:-8400}
source benchmarks/lib/kv-cluster.sh
kv_require_jars
pairs=${PAIRS:-3} keys=${KEYS:-1000000} bench_keys=${BENCH_KEYS:-1000}
seconds=${SECONDS_MEASURED:-20} warmup=${WARMUP:-10}
root=${P99_DIR:-/tmp/wip7-p99}
mkdir -p "$root"
none_flags=(--snapshot-every-entries 1000000000 --snapshot-every-bytes 1099511627776)
snap_flags=(${SNAP_FLAGS:-})

# per node: "taken duration_ms" from /metrics
snap_metrics() {
  curl -s --max-time 1 "$(kv_url $1)/metrics" | awk '
    /^raft_snapshots_taken(_total)?\{/ {t=$2} /^raft_snapshot_last_duration_ms\{/ {d=$2}
    END {printf "%d %d\n", t, d}'
}

# every 250 ms, each node's snapshot count and last duration, time-stamped: "ms node taken duration"
poll_snapshots() {
  while :; do
    local t; t=$(now_ms)
    for i in 1 2 3; do echo "$t $i $(snap_metrics $i)"; done
    sleep 0.25
  done
}

# a figure of the bench tool's summary: `metric p99.0` (its last column)
metric() { awk -v k="$1" '$1 == k {print $NF}' "$KV_BASE/bench.txt"; }

run() { # run CONFIG: one fresh cluster, filled, measured; prints one summary line
  local config=$1 flags=()
  [ "$config" = none ] && flags=("${none_flags[@]}") || flags=(${snap_flags[@]+"${snap_flags[@]}"})
  KV_BASE=$(mktemp -d "$root/run.XXXX")
  kv_cluster_init
  for i in 1 2 3; do kv_start_node $i ${flags[@]+"${flags[@]}"}; done
  kv_wait_leader
  local filled; filled=$(kv_fill "$keys" 100)
  sleep 2
  local leader; leader=$(kv_leader)
  poll_snapshots > "$KV_BASE/snapshots.txt" & local poller=$!
  local t0; t0=$(now_ms)
  local from=$((t0 + warmup * 1000)) to=$((t0 + (warmup + seconds) * 1000))
  if [ -n "${THREADS:-}" ]; then
    ( sleep "$warmup"; python3 benchmarks/lib/thread-cpu.py sample "${kv_pids[$leader]}" > "$KV_BASE/cpu0"
      sleep "$seconds"; python3 benchmarks/lib/thread-cpu.py sample "${kv_pids[$leader]}" > "$KV_BASE/cpu1" ) &
    local sampler=$!
  fi
  java -jar "$kv" bench --mode put --clients 64 --keys "$bench_keys" --value-bytes 100 --seconds "$seconds" \
    --warmup "$warmup" --endpoints "$urls" > "$KV_BASE/bench.txt" 2>&1 || { cat "$KV_BASE/bench.txt" >&2; }
  local load; load=$(cut -d' ' -f1-3 /proc/loadavg)
  kill "$poller"; wait "$poller" 2>/dev/null || true
  # snapshots each node finished inside the measured window, and how long each took
  local snaps; snaps=$(awk -v from="$from" -v to="$to" '
    { if ($2 in last && $3 > last[$2] && $1 >= from && $1 <= to) { n[$2]++; d[$2] = d[$2] " " $4 } last[$2] = $3 }
    END { for (i = 1; i <= 3; i++) printf "n%d:%d[%s ] ", i, n[i], d[i] }' "$KV_BASE/snapshots.txt")
  printf '%-4s puts/s %6s p50 %6s p99 %7s p99.9 %7s max %7s errors %s | snapshots in window (count[ms each]) %s| load %s | leader n%s | fill: %s\n' \
    "$config" "$(metric ops/s)" "$(metric p50.0)" "$(metric p99.0)" "$(metric p99.9)" "$(metric max)" "$(metric errors)" "$snaps" "$load" "$leader" "$filled"
  if [ -n "${THREADS:-}" ]; then
    wait "$sampler" 2>/dev/null || true
    [ -s "$KV_BASE/cpu1" ] && python3 benchmarks/lib/thread-cpu.py diff "$KV_BASE/cpu0" "$KV_BASE/cpu1" "$seconds" 8
  fi
  kv_stop_all
  [ -n "${KEEP:-}" ] && echo "  kept $KV_BASE" || rm -rf "$KV_BASE"
}

trap 'kv_stop_all; jobs -p | xargs -r kill 2>/dev/null || true' EXIT
echo "snapshot-p99: $pairs pairs, $keys keys filled, bench over $bench_keys keys, ${warmup}+${seconds} s, $(nproc) cores, jvm=[${KV_JAVA_OPTS:-}] snap=[${SNAP_FLAGS:-defaults}] $(date -u +%FT%TZ)"
for p in $(seq 1 "$pairs"); do
  # alternate which goes first, so a drift in the host's load does not favour one configuration
  if [ $((p % 2)) -eq 1 ]; then order=(none snap); else order=(snap none); fi
  for c in "${order[@]}"; do echo -n "pair $p "; run "$c"; done
done
