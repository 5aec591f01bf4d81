#!/usr/bin/env bash
# Issue 16's restart figure: a node holding N keys (100-byte values) killed with -9 and started again,
# timed from its launch until it has applied everything the cluster had committed before the kill
# (it has then loaded its snapshot and replayed its log tail; reads it serves are current). Each size
# runs on a fresh three-node cluster on loopback with the server's defaults (a snapshot every 10,000
# entries). The small size is the baseline of the same run: JVM start, opening the stores, election
# traffic, with next to no state.
#
#   ./mvnw -pl benchmarks -am package -DskipTests && benchmarks/restart.sh [KEYS...]   (default: 1000 1000000)
# KV_JAR=path runs another build of the server (to compare two in one session); RESTART_LOG=1 prints
# the restarted node's log lines (where the time went). KV_JAVA_OPTS: JVM flags for every node.
# KV_CDS=1 first makes a class-data sharing archive of the server jar (docker/cds-archive.sh, about
# 20 s) and starts every node with it, as the Docker image does.
set -euo pipefail
cd "$(dirname "$0")/.."
kv=${KV_JAR:-raft-statemachine-kv/target/raft-kv.jar}
bench=benchmarks/target/benchmarks.jar
[ -f "$kv" ] && [ -f "$bench" ] || { echo "build first: ./mvnw -pl benchmarks -am package -DskipTests" >&2; exit 2; }
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(1000 1000000)
peers=(--peer n1=127.0.0.1:7301,127.0.0.1:8301 --peer n2=127.0.0.1:7302,127.0.0.1:8302 --peer n3=127.0.0.1:7303,127.0.0.1:8303)
urls=http://127.0.0.1:8301,http://127.0.0.1:8302,http://127.0.0.1:8303
now_ms() { date +%s%3N; }
field() { grep -o "\"$1\":[0-9]*" | head -1 | grep -o '[0-9]*$'; }
java_opts=(${KV_JAVA_OPTS:-})
if [ -n "${KV_CDS:-}" ]; then
  jsa=$(mktemp -u /tmp/raftkit-restart-XXXX.jsa)
  docker/cds-archive.sh "$kv" "$jsa" >&2
  java_opts+=("-XX:SharedArchiveFile=$jsa")
fi
start_node() { java ${java_opts[@]+"${java_opts[@]}"} -jar "$kv" server --id "n$1" --data-dir "$base/n$1" "${peers[@]}" >> "$base/n$1.log" 2>&1 & pids[$1]=$!; }

for keys in "${sizes[@]}"; do
  base=$(mktemp -d /tmp/raftkit-restart.XXXX)
  declare -a pids=()
  for i in 1 2 3; do start_node $i; done
  for _ in $(seq 1 120); do curl -sf http://127.0.0.1:8301/v1/status | grep -q '"leader":"n' && break; sleep 0.5; done
  java -cp "$bench" io.raftkit.benchmarks.restart.FillKeys "$keys" 100 "$urls" | tail -1
  sleep 2
  # the node to restart must be a follower: killing the leader would time an election as well
  victim=3
  for i in 3 2 1; do curl -s http://127.0.0.1:830$i/v1/status | grep -q '"role":"FOLLOWER\|"role":"follower' && { victim=$i; break; }; done
  status=$(curl -s http://127.0.0.1:830$victim/v1/status)
  committed=$(echo "$status" | field commitIndex)
  snap=$(echo "$status" | field latestIndex || true)
  du_data=$(du -sh "$base/n$victim" | cut -f1)
  kill -9 "${pids[$victim]}"; wait "${pids[$victim]}" 2>/dev/null || true
  echo "--- restart of n$victim at $(date +%T.%3N)" >> "$base/n$victim.log"
  t0=$(now_ms)
  start_node $victim
  applied=0
  while :; do
    applied=$(curl -s --max-time 1 http://127.0.0.1:830$victim/v1/status | field appliedIndex || true)
    [ -n "$applied" ] && [ "$applied" -ge "$committed" ] && break
    [ $(( $(now_ms) - t0 )) -gt 120000 ] && { echo "n$victim did not catch up in 120 s (see $base/n$victim.log)"; break; }
    sleep 0.02
  done
  t1=$(now_ms)
  # the restarted JVM's CPU time until then (user + system): on a shared host the wall time moves with
  # the load, the CPU time much less
  cpu_ms=$(awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/${pids[$victim]}/stat")
  echo "keys=$keys node=n$victim data=$du_data commit=$committed snapshot=${snap:-?} restart-to-caught-up=$(( t1 - t0 )) ms cpu=${cpu_ms} ms load=$(cut -d' ' -f1 /proc/loadavg) jvm=[${java_opts[*]+${java_opts[*]}}]"
  [ -n "${RESTART_LOG:-}" ] && sed -n '/^--- restart/,$p' "$base/n$victim.log" | grep -v "DEBUG" | head -40
  kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true
  rm -rf "$base"
done
[ -z "${jsa:-}" ] || rm -f "$jsa"
