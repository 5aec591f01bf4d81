#!/usr/bin/env bash
# Issue 16's InstallSnapshot figure: a snapshot of MEGABYTES MiB (default 512) moved by InstallSnapshot
# over vertx-tcp into an empty follower's mapdb snapshot store, the follower in its own JVM at
# -Xmx256m, against copying the same snapshot file on the same disk with Files.copy + force, alternated
# per round in one run. Prints each round (wall ms, MB/s, CPU ms of the receiver, the leader and the
# copy) and the ratio of the speeds (target >= 0.5). See InstallSnapshotSpeed's Javadoc.
#
#   ./mvnw -pl benchmarks -am package -DskipTests && benchmarks/install-snapshot.sh [MEGABYTES] [ROUNDS]
# DIR=path puts the data on another disk (default /var/tmp); CHUNK_KIB sets the chunk size (default
# the server's, 256); INFLIGHT sets the leader's window in chunks (default 8); RECEIVER_HEAP (default 256m); RECEIVER_JAVA_OPTS adds receiver JVM options
# (e.g. -XX:StartFlightRecording=filename=/tmp/recv.jfr); RECEIVER_LOG=1 prints the receiver's log.
set -euo pipefail
cd "$(dirname "$0")/.."
bench=benchmarks/target/benchmarks.jar
[ -f "$bench" ] || { echo "build first: ./mvnw -pl benchmarks -am package -DskipTests" >&2; exit 2; }
args=(--megabytes "${1:-512}" --rounds "${2:-3}" --dir "${DIR:-/var/tmp}" --receiver-heap "${RECEIVER_HEAP:-256m}")
[ -n "${CHUNK_KIB:-}" ] && args+=(--chunk-kib "$CHUNK_KIB")
[ -n "${INFLIGHT:-}" ] && args+=(--max-inflight "$INFLIGHT")
echo "host: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
java -Xmx512m -cp "$bench" io.raftkit.benchmarks.snapshot.InstallSnapshotSpeed "${args[@]}" 2>&1 \
  | grep -E '^(leader|round|speed|  )' || true
