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
# KV_JAR, KV_JAVA_OPTS (JVM flags of every node), CONFIGS ("none snap"; more names compare variants:
# FLAGS_<name> holds a configuration's server flags, e.g.
#   CONFIGS="none snap s50k" FLAGS_s50k="--snapshot-every-entries 50000" benchmarks/snapshot-p99.sh
# each pair then runs every configuration once, in an order rotated from pair to pair), THREADS=1
# prints the leader's CPU per thread over the measured window, KEEP=1 keeps the data directories
# and logs. REUSE=1 fills one cluster (in the first run's configuration) and restarts its three
# nodes with each run's flags instead of starting a fresh cluster per run: a run then takes about
# 45 s instead of 2-4 min, so more pairs fit in a quiet spell of a shared host. But a cluster filled
# under 'none' holds a million-entry log and no snapshot: the 'snap' runs after it start with a first
# snapshot far slower than a steady one (16-21 s against 1-3 s, 2026-12-06); use fresh clusters for the figure. Ports 7401-7403 (Raft) and 8401-8403 (HTTP); data under /tmp/wip7-p99 unless P99_DIR says
# otherwise. Each pair ends with each configuration's p99 over the p99 of 'none' in that pair. Each run also
# splits the measured seconds into those mostly inside a snapshot write on any node and the others
# (`raft-kv bench --histogram-log`, `LatencyWindows`): the issue's figure is the p99 of the puts written
# while a snapshot is, which the whole window's p99 understates once snapshots are rare.
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
configs=(${CONFIGS:-none snap})
FLAGS_snap=${FLAGS_snap:-}

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

# every node has applied what the leader had committed: a restarted cluster has restored its state
kv_wait_caught_up() {
  local leader committed applied
  leader=$(kv_leader); [ "$leader" != 0 ] || { sleep 0.5; leader=$(kv_leader); }
  committed=$(curl -s "$(kv_url $leader)/v1/status" | field commitIndex)
  for i in 1 2 3; do
    for _ in $(seq 1 240); do
      applied=$(curl -s --max-time 1 "$(kv_url $i)/v1/status" | field appliedIndex || true)
      [ -n "$applied" ] && [ "$applied" -ge "$committed" ] && break
      sleep 0.25
    done
  done
}

run() { # run CONFIG: a fresh cluster filled (or, with REUSE, the filled cluster restarted), measured
  local config=$1 flags=() named="FLAGS_$1" filled
  if [ "$config" = none ]; then flags=("${none_flags[@]}"); else flags=(${!named:-}); fi
  if [ -n "${REUSE:-}" ] && [ -n "${KV_BASE:-}" ] && [ -d "$KV_BASE" ]; then
    kv_stop_all
    for i in 1 2 3; do kv_start_node $i ${flags[@]+"${flags[@]}"}; done
    kv_wait_leader; kv_wait_caught_up
    filled="reused, restarted with this configuration's flags"
  else
    KV_BASE=$(mktemp -d "$root/run.XXXX")
    kv_cluster_init
    for i in 1 2 3; do kv_start_node $i ${flags[@]+"${flags[@]}"}; done
    kv_wait_leader
    filled=$(kv_fill "$keys" 100)
  fi
  sleep 2
  local leader; leader=$(kv_leader)
  : > "$KV_BASE/snapshots.txt"
  poll_snapshots > "$KV_BASE/snapshots.txt" & local poller=$!
  local t0; t0=$(now_ms)
  local from=$((t0 + warmup * 1000)) to=$((t0 + (warmup + seconds) * 1000))
  if [ -n "${THREADS:-}" ]; then
    ( sleep "$warmup"; python3 benchmarks/lib/thread-cpu.py sample "${kv_pids[$leader]}" > "$KV_BASE/cpu0"
      sleep "$seconds"; python3 benchmarks/lib/thread-cpu.py sample "${kv_pids[$leader]}" > "$KV_BASE/cpu1" ) &
    local sampler=$!
  fi
  java -jar "$kv" bench --mode put --clients 64 --keys "$bench_keys" --value-bytes 100 --seconds "$seconds" \
    --warmup "$warmup" --endpoints "$urls" --histogram-log "$KV_BASE/latency.hlog" > "$KV_BASE/bench.txt" 2>&1 \
    || { cat "$KV_BASE/bench.txt" >&2; }
  local load; load=$(cut -d' ' -f1-3 /proc/loadavg)
  kill "$poller"; wait "$poller" 2>/dev/null || true
  # snapshots each node finished inside the measured window, and how long each took
  local snaps; snaps=$(awk -v from="$from" -v to="$to" '
    { if ($2 in last && $3 > last[$2] && $1 >= from && $1 <= to) { n[$2]++; d[$2] = d[$2] " " $4 } last[$2] = $3 }
    END { for (i = 1; i <= 3; i++) printf "n%d:%d[%s ] ", i, n[i], d[i] }' "$KV_BASE/snapshots.txt")
  # When a snapshot was being written on any node: each one that finished between two polls ran
  # from (its duration) before the earlier poll to the later one, at most 250 ms too wide.
  awk '{ if ($2 in last && $3 > last[$2]) printf "%.0f %.0f\n", prev[$2] - $4, $1; last[$2] = $3; prev[$2] = $1 }' \
    "$KV_BASE/snapshots.txt" > "$KV_BASE/windows.txt"
  # the bench's seconds split by those windows: the issue's figure is the p99 of the puts written during one
  local split; split=$(java -cp "$bench" io.raftkit.benchmarks.snapshot.LatencyWindows "$KV_BASE/latency.hlog" \
    "$KV_BASE/windows.txt" 2>&1 | tr '\n' ' ' || true)
  p99[$config]=$(metric p99.0)
  printf '%-4s puts/s %6s p50 %6s p99 %7s p99.9 %7s max %7s errors %s | snapshots in window (count[ms each]) %s| load %s | leader n%s | fill: %s\n' \
    "$config" "$(metric ops/s)" "$(metric p50.0)" "$(metric p99.0)" "$(metric p99.9)" "$(metric max)" "$(metric errors)" "$snaps" "$load" "$leader" "$filled"
  echo "     seconds of the window while a snapshot was written (ms): $split"
  if [ -n "${THREADS:-}" ]; then
    wait "$sampler" 2>/dev/null || true
    [ -s "$KV_BASE/cpu1" ] && python3 benchmarks/lib/thread-cpu.py diff "$KV_BASE/cpu0" "$KV_BASE/cpu1" "$seconds" 8
  fi
  [ -n "${REUSE:-}" ] && return
  kv_stop_all
  [ -n "${KEEP:-}" ] && echo "  kept $KV_BASE" || rm -rf "$KV_BASE"
}

trap 'kv_stop_all; jobs -p | xargs -r kill 2>/dev/null || true' EXIT
echo -n "snapshot-p99: $pairs pairs, $keys keys filled, bench over $bench_keys keys, ${warmup}+${seconds} s, $(nproc) cores,"
echo -n " jvm=[${KV_JAVA_OPTS:-}]"
for c in "${configs[@]}"; do [ "$c" = none ] || { named="FLAGS_$c"; echo -n " $c=[${!named:-defaults}]"; }; done
echo " $(date -u +%FT%TZ)"
declare -A p99
n=${#configs[@]}
for p in $(seq 1 "$pairs"); do
  # rotate which goes first, so a drift in the host's load does not favour one configuration
  for k in $(seq 0 $((n - 1))); do c=${configs[$(( (k + p - 1) % n ))]}; echo -n "pair $p "; run "$c"; done
  echo -n "pair $p p99 over none's:"
  for c in "${configs[@]}"; do
    [ "$c" = none ] || awk -v c="$c" -v a="${p99[$c]:-0}" -v b="${p99[none]:-0}" 'BEGIN { printf " %s %.2fx", c, (b > 0 ? a / b : 0) }'
  done
  echo
done
if [ -n "${REUSE:-}" ]; then kv_stop_all; [ -n "${KEEP:-}" ] && echo "kept $KV_BASE" || rm -rf "$KV_BASE"; fi
