#!/usr/bin/env bash
# Starts or stops a local Redis Cluster for the adapter's tests: 3 primaries and 3 replicas
# on 127.0.0.1 ports 7000-7005, data in a temporary directory.
#   scripts/cluster.sh start   # idempotent: returns at once when the cluster already answers ok
#   scripts/cluster.sh stop    # stops the nodes this script started and removes their directory
#   scripts/cluster.sh start-node PORT   # starts one node again (it rejoins with its nodes.conf)
# STOWAGE_CLUSTER_PORT moves the six ports (default 7000), so fault tests get their own cluster.
set -euo pipefail

FIRST_PORT="${STOWAGE_CLUSTER_PORT:-7000}"
PORTS=()
for i in 0 1 2 3 4 5; do PORTS+=("$((FIRST_PORT + i))"); done
STATE_FILE="${TMPDIR:-/tmp}/stowage-redis-cluster-${FIRST_PORT}.dir"

cluster_ok() {
  redis-cli -h 127.0.0.1 -p "${PORTS[0]}" cluster info 2>/dev/null | grep -q '^cluster_state:ok'
}

all_nodes_agree() {
  for port in "${PORTS[@]}"; do
    redis-cli -h 127.0.0.1 -p "$port" cluster info 2>/dev/null | grep -q '^cluster_state:ok' || return 1
  done
}

# Every primary has an online replica, so WAIT-based durability works from the first write.
replicas_online() {
  for port in "${PORTS[@]}"; do
    local info
    info="$(redis-cli -h 127.0.0.1 -p "$port" info replication 2>/dev/null)" || return 1
    if grep -q '^role:master' <<<"$info"; then
      grep -q '^slave0:.*state=online' <<<"$info" || return 1
    fi
  done
}

wait_for() {
  local what="$1" tries=0
  shift
  until "$@"; do
    tries=$((tries + 1))
    if [ "$tries" -gt 300 ]; then
      echo "cluster.sh: gave up waiting for $what" >&2
      return 1
    fi
    sleep 0.1
  done
}

start_node() {
  local dir="$1" port="$2"
  mkdir -p "$dir/$port"
  redis-server --port "$port" --bind 127.0.0.1 --cluster-enabled yes \
    --cluster-config-file "$dir/$port/nodes.conf" --cluster-node-timeout 2000 \
    --dir "$dir/$port" --appendonly yes --appendfsync everysec --save '' \
    --daemonize yes --pidfile "$dir/$port/redis.pid" --logfile "$dir/$port/redis.log"
  wait_for "node $port" bash -c "redis-cli -h 127.0.0.1 -p $port ping >/dev/null 2>&1"
}

start() {
  if cluster_ok; then
    echo "cluster.sh: cluster already running on ${PORTS[0]}-${PORTS[5]}"
    return 0
  fi
  local dir
  dir="$(mktemp -d "${TMPDIR:-/tmp}/stowage-redis-cluster.XXXXXX")"
  echo "$dir" >"$STATE_FILE"
  for port in "${PORTS[@]}"; do start_node "$dir" "$port"; done
  local nodes=()
  for port in "${PORTS[@]}"; do nodes+=("127.0.0.1:$port"); done
  redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes >"$dir/create.log"
  wait_for "cluster_state:ok on every node" all_nodes_agree
  wait_for "replicas to be in sync" replicas_online
  echo "cluster.sh: cluster ok on ${PORTS[0]}-${PORTS[5]} (data in $dir)"
}

stop() {
  if [ ! -f "$STATE_FILE" ]; then
    echo "cluster.sh: no cluster started by this script on ${PORTS[0]}"
    return 0
  fi
  local dir
  dir="$(cat "$STATE_FILE")"
  for port in "${PORTS[@]}"; do
    if [ -f "$dir/$port/redis.pid" ]; then
      kill "$(cat "$dir/$port/redis.pid")" 2>/dev/null || true
    fi
  done
  for port in "${PORTS[@]}"; do
    wait_for "node $port to stop" bash -c "! redis-cli -h 127.0.0.1 -p $port ping >/dev/null 2>&1"
  done
  rm -rf "$dir" "$STATE_FILE"
  echo "cluster.sh: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  start-node)
    [ -f "$STATE_FILE" ] || { echo "cluster.sh: no cluster started on ${PORTS[0]}" >&2; exit 1; }
    start_node "$(cat "$STATE_FILE")" "${2:?usage: $0 start-node PORT}"
    ;;
  *)
    echo "usage: $0 start|stop|start-node PORT" >&2
    exit 2
    ;;
esac
