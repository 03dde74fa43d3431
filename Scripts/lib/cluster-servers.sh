# A private Redis Cluster and a Sentinel setup for tests and benchmarks. Source it after
# redis-servers.sh (it uses free_port), then:
#
#   start_redis_cluster DIR [PRIMARIES]   3 primaries + 1 replica each; sets REDIS_CLUSTER_SEEDS
#                                         (host:port,…) and REDIS_CLUSTER_PORTS
#   start_redis_sentinel DIR NAME         primary + replica + one sentinel watching them as NAME;
#                                         sets REDIS_SENTINEL_PORT, REDIS_SENTINEL_PRIMARY_PORT,
#                                         REDIS_SENTINEL_REPLICA_PORT
#   stop_cluster_servers                  kills every server started here, by the pid in its pid file
#
# Every node has its own config file DIR/node-PORT.conf, so a test that stops a node (to force a
# failover) can start it again with `redis-server DIR/node-PORT.conf`: it rejoins as a replica,
# and its pid file still lets stop_cluster_servers find it. Nothing listens beyond 127.0.0.1.

cluster_pid_files=()

# write_node_config FILE PORT BUS_PORT DIR [extra lines…]
write_node_config() {
    local file=$1 port=$2 bus=$3 dir=$4
    shift 4
    {
        echo "bind 127.0.0.1"
        echo "port $port"
        echo "save \"\""
        echo "appendonly no"
        echo "daemonize no"
        echo "dir $dir"
        echo "pidfile $dir/redis-$port.pid"
        echo "logfile $dir/redis-$port.log"
        echo "repl-diskless-sync-delay 0"
        # Tests stop a primary with DEBUG SLEEP or SHUTDOWN over loopback only.
        echo "enable-debug-command local"
        local line
        for line in "$@"; do echo "$line"; done
    } >"$file"
}

# start_node_from_config FILE PORT: starts redis-server in the background and waits for PONG.
start_node_from_config() {
    local file=$1 port=$2 dir
    dir=$(dirname "$file")
    redis-server "$file" &
    cluster_pid_files+=("$dir/redis-$port.pid")
    local pid=$!
    for _ in $(seq 100); do
        if ! kill -0 "$pid" 2>/dev/null; then break; fi
        if [[ $(redis-cli -h 127.0.0.1 -p "$port" PING 2>/dev/null) == PONG ]]; then return 0; fi
        sleep 0.05
    done
    echo "redis-server on port $port did not start:" >&2
    tail -n 5 "$dir/redis-$port.log" >&2 || true
    return 1
}

# wait_for TRIES COMMAND…: runs COMMAND every 0.1 s until it succeeds.
wait_for() {
    local tries=$1
    shift
    for _ in $(seq "$tries"); do
        if "$@"; then return 0; fi
        sleep 0.1
    done
    return 1
}

cluster_ok() {
    local port
    for port in "$@"; do
        redis-cli -p "$port" CLUSTER INFO 2>/dev/null | grep -q '^cluster_state:ok' || return 1
    done
}

replicas_linked() {
    local port info
    for port in "$@"; do
        info=$(redis-cli -p "$port" INFO replication 2>/dev/null)
        if grep -q '^role:slave' <<<"$info" && ! grep -q '^master_link_status:up' <<<"$info"; then return 1; fi
    done
}

start_redis_cluster() {
    local dir=$1 primaries=${2:-3}
    local count=$((primaries * 2)) ports=() port bus node
    mkdir -p "$dir"
    for _ in $(seq "$count"); do
        # The cluster bus needs its own port; port+10000 (the default) may be taken or out of range.
        port=$(free_port)
        bus=$(free_port)
        while [[ $bus == "$port" ]]; do bus=$(free_port); done
        node="$dir/node-$port.conf"
        write_node_config "$node" "$port" "$bus" "$dir" \
            "cluster-enabled yes" "cluster-port $bus" "cluster-config-file $dir/nodes-$port.conf" \
            "cluster-node-timeout 2000" "cluster-replica-validity-factor 0"
        start_node_from_config "$node" "$port" || return 1
        ports+=("$port")
    done
    local addresses=()
    for port in "${ports[@]}"; do addresses+=("127.0.0.1:$port"); done
    if ! redis-cli --cluster create "${addresses[@]}" --cluster-replicas 1 --cluster-yes >"$dir/create.log" 2>&1; then
        echo "redis-cli --cluster create failed:" >&2
        tail -n 20 "$dir/create.log" >&2
        return 1
    fi
    if ! wait_for 300 cluster_ok "${ports[@]}"; then
        echo "the test cluster did not reach cluster_state:ok in 30 s" >&2
        return 1
    fi
    # A replica whose link is down cannot be promoted: failover tests need every link up.
    if ! wait_for 300 replicas_linked "${ports[@]}"; then
        echo "the test cluster's replicas did not finish their first sync in 30 s" >&2
        return 1
    fi
    REDIS_CLUSTER_PORTS="${ports[*]}"
    REDIS_CLUSTER_SEEDS=$(IFS=,; echo "${addresses[*]}")
    echo "redis cluster: ${REDIS_CLUSTER_SEEDS} ($primaries primaries)" >&2
}

sentinel_knows_replica() {
    local port=$1 name=$2
    # Sentinel learns replicas from the primary's INFO (every 10 s, or at once when it connects):
    # a forced failover before that answers NOGOODSLAVE.
    redis-cli -p "$port" SENTINEL REPLICAS "$name" 2>/dev/null | grep -qx 'slave'
}

start_redis_sentinel() {
    local dir=$1 name=$2 primary replica sentinel bus
    mkdir -p "$dir"
    primary=$(free_port)
    write_node_config "$dir/node-$primary.conf" "$primary" 0 "$dir"
    start_node_from_config "$dir/node-$primary.conf" "$primary" || return 1
    replica=$(free_port)
    write_node_config "$dir/node-$replica.conf" "$replica" 0 "$dir" "replicaof 127.0.0.1 $primary"
    start_node_from_config "$dir/node-$replica.conf" "$replica" || return 1
    wait_for 300 replicas_linked "$replica" || { echo "the sentinel test replica did not sync" >&2; return 1; }
    sentinel=$(free_port)
    # Sentinel rewrites its config file: it must be its own, writable.
    {
        echo "bind 127.0.0.1"
        echo "port $sentinel"
        echo "daemonize no"
        echo "dir $dir"
        echo "pidfile $dir/redis-$sentinel.pid"
        echo "logfile $dir/redis-$sentinel.log"
        echo "sentinel monitor $name 127.0.0.1 $primary 1"
        echo "sentinel down-after-milliseconds $name 1000"
        echo "sentinel failover-timeout $name 5000"
    } >"$dir/sentinel-$sentinel.conf"
    redis-server "$dir/sentinel-$sentinel.conf" --sentinel &
    cluster_pid_files+=("$dir/redis-$sentinel.pid")
    if ! wait_for 300 sentinel_knows_replica "$sentinel" "$name"; then
        echo "the test sentinel did not learn of the replica in 30 s" >&2
        tail -n 10 "$dir/redis-$sentinel.log" >&2 || true
        return 1
    fi
    REDIS_SENTINEL_PORT=$sentinel
    REDIS_SENTINEL_PRIMARY_PORT=$primary
    REDIS_SENTINEL_REPLICA_PORT=$replica
    echo "redis sentinel: 127.0.0.1:$sentinel watching $name (primary $primary, replica $replica)" >&2
}

stop_cluster_servers() {
    local file pid pids=()
    for file in "${cluster_pid_files[@]}"; do
        [[ -f $file ]] || continue
        pid=$(cat "$file" 2>/dev/null) || continue
        [[ $pid =~ ^[0-9]+$ ]] || continue
        # Only a redis-server of ours: the pid file could be stale and its pid reused.
        if grep -q redis "/proc/$pid/comm" 2>/dev/null; then
            kill "$pid" 2>/dev/null && pids+=("$pid")
        fi
    done
    for pid in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        # A server that started with SIGTERM blocked (inherited from its parent) never ends by it.
        if kill -0 "$pid" 2>/dev/null; then
            echo "redis-server $pid ignored SIGTERM: killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    cluster_pid_files=()
}
