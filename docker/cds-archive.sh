#!/usr/bin/env bash
# Makes a class-data sharing archive (JDK 17 dynamic AppCDS) for the KV server, so a node starts
# without parsing and verifying the few thousand classes it loads before it serves: measured in
# docs/benchmarks.md ("Issue 16: restart with 1 M keys"). Used by docker/Dockerfile at image build
# time and by benchmarks/restart.sh (KV_CDS=1); for a jar run, make one per jar and JVM:
#
#   docker/cds-archive.sh raft-kv.jar raft-kv.jsa
#   java -XX:SharedArchiveFile=raft-kv.jsa -jar raft-kv.jar server ...
#
# The archive holds the classes a node loaded in a training run: here a one-node cluster on
# loopback that takes a few puts and a snapshot, is stopped, and is started again from that data
# directory (so the restart path, snapshot restore included, is in the archive too), then stopped
# again with SIGTERM, at whose exit the JVM writes the archive. A class left out just loads as usual;
# an archive made by another jar or JVM is ignored by the JVM with a warning, never used wrongly.
# JAVA_TOOL_OPTIONS applies to the training run as to the server (the Dockerfile sets the GC there:
# make the archive with the flags the server runs with). CDS_PORT (default 7490) and CDS_PORT+1000
# are the loopback ports the training node uses.
set -euo pipefail
jar=${1:?usage: cds-archive.sh SERVER_JAR ARCHIVE}
archive=${2:?usage: cds-archive.sh SERVER_JAR ARCHIVE}
raft_port=${CDS_PORT:-7490}
http_port=$((raft_port + 1000))
work=$(mktemp -d "${TMPDIR:-/tmp}/raftkit-cds.XXXXXX")
trap 'rm -rf "$work"' EXIT
url=http://127.0.0.1:$http_port
# Its own secret in the work directory: never the default ~/.raftkit/peer-secret, which would leave a
# secret in the image (or in the user's home) that no one chose.
(umask 077; head -c 32 /dev/urandom | base64 > "$work/peer-secret")

run() { # $1: extra JVM flags; waits for the node to lead, does $2 (a function), stops it
  java $1 -jar "$jar" server --id n1 --data-dir "$work/data" --peer "n1=127.0.0.1:$raft_port,127.0.0.1:$http_port" \
    --peer-secret-file "$work/peer-secret" --snapshot-every-entries 5 --snapshot-keep-tail 1 >> "$work/node.log" 2>&1 &
  local pid=$! tries=0
  until curl -sf --max-time 1 "$url/v1/status" | grep -q '"leader":"n1"'; do
    tries=$((tries + 1))
    if [ $tries -gt 600 ] || ! kill -0 $pid 2>/dev/null; then
      echo "cds-archive: the training node did not start; its log:" >&2; cat "$work/node.log" >&2; kill $pid 2>/dev/null || true; exit 1
    fi
    sleep 0.1
  done
  $2
  kill -TERM $pid # the JVM writes an archive at its exit, which SIGTERM's shutdown is
  wait $pid || true
}
puts() {
  for i in $(seq 1 12); do curl -sf -X PUT "$url/v1/kv/cds-$i" -H "Content-Type: application/json" -d "{\"value\": \"value $i\"}" >/dev/null; done
  curl -sf "$url/v1/kv/cds-1" >/dev/null
  curl -sf "$url/v1/status" >/dev/null
}
reads() {
  curl -sf "$url/v1/kv/cds-12" >/dev/null
  curl -sf -X PUT "$url/v1/kv/cds-13" -H "Content-Type: application/json" -d "{\"value\": \"value 13\"}" >/dev/null
}

rm -f "$archive"
run "" puts
run "-XX:ArchiveClassesAtExit=$archive" reads
[ -s "$archive" ] || { echo "cds-archive: the JVM wrote no archive at $archive; the node's log:" >&2; cat "$work/node.log" >&2; exit 1; }
echo "cds-archive: $archive ($(du -h "$archive" | cut -f1)) for $jar"
