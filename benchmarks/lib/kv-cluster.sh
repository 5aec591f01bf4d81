# Shell pieces for benchmark scripts that run a three-node `raft-kv server` cluster on loopback.
# Sourced, not run: set KV_RAFT_PORT and KV_HTTP_PORT (node i listens on PORT+i) and KV_BASE (its
# data directories and logs go under it) before calling kv_cluster_init. KV_JAR picks the server
# jar, KV_JAVA_OPTS adds JVM flags to every node.
#
#   kv_cluster_init; kv_start_node 1 --snapshot-every-entries 1000; kv_wait_leader; kv_fill 1000000 100
#   ... kv_stop_all

kv=${KV_JAR:-raft-statemachine-kv/target/raft-kv.jar}
bench=benchmarks/target/benchmarks.jar

kv_require_jars() {
  [ -f "$kv" ] && [ -f "$bench" ] || {
    echo "build first: ./mvnw -B -ntp -o -q -pl raft-statemachine-kv,benchmarks -am package -DskipTests" >&2; exit 2; }
}

kv_cluster_init() {
  peers=() urls=""
  for i in 1 2 3; do
    peers+=(--peer "n$i=127.0.0.1:$((KV_RAFT_PORT + i)),127.0.0.1:$((KV_HTTP_PORT + i))")
    urls+="${urls:+,}http://127.0.0.1:$((KV_HTTP_PORT + i))"
  done
  declare -ga kv_pids=()
  kv_java_opts=(${KV_JAVA_OPTS:-})
}

kv_url() { echo "http://127.0.0.1:$((KV_HTTP_PORT + $1))"; }
now_ms() { date +%s%3N; }
# the first number of a JSON field: `curl ... | field commitIndex`
field() { grep -o "\"$1\":[0-9]*" | head -1 | grep -o '[0-9]*$'; }

# kv_start_node I [SERVER FLAGS...]: node nI in the background, its log in $KV_BASE/nI.log
kv_start_node() {
  local i=$1; shift
  java ${kv_java_opts[@]+"${kv_java_opts[@]}"} -jar "$kv" server --id "n$i" --data-dir "$KV_BASE/n$i" "${peers[@]}" "$@" \
    >> "$KV_BASE/n$i.log" 2>&1 &
  kv_pids[$i]=$!
}

kv_wait_leader() {
  for _ in $(seq 1 120); do curl -sf "$(kv_url 1)/v1/status" | grep -q '"leader":"n' && return 0; sleep 0.5; done
  echo "no leader after 60 s (logs in $KV_BASE)" >&2; return 1
}

# kv_fill KEYS VALUE_BYTES: keys key-00000000.. written once each (FillKeys), its last line printed
kv_fill() { java -cp "$bench" io.raftkit.benchmarks.restart.FillKeys "$1" "$2" "$urls" | tail -1; }

# the node id (1-3) whose /v1/status says it leads
kv_leader() {
  for i in 1 2 3; do curl -s "$(kv_url $i)/v1/status" | grep -q '"role":"LEADER\|"role":"leader' && { echo $i; return; }; done
  echo 0
}

kv_stop_all() {
  local p
  for p in "${kv_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${kv_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  kv_pids=()
}
