# Private, throw-away redis-servers for tests and benchmarks. Source it, then:
#
#   start_redis NAME DIR [redis-server options…]   sets REDIS_PORT_<NAME>, records the pid
#   stop_redis_servers                             kills and reaps every server started here
#
# Each server listens on 127.0.0.1 only, on a free port, keeps nothing on disk and runs in the
# foreground of a background job, so we own its pid and never touch any other redis on the machine.

redis_server_pids=()

# Prints a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
        return
    fi
    local port
    for _ in $(seq 200); do
        port=$((20000 + RANDOM % 40000))
        # A refused connection means the port is free.
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    echo "free_port: no free port found on 127.0.0.1" >&2
    return 1
}

# start_redis NAME DIR [options…]: options go after the built-in ones (e.g. a config file holding
# requirepass is passed as `--include FILE`). PING is sent with $REDISCLI_AUTH when the caller set it.
start_redis() {
    local name=$1 dir=$2
    shift 2
    local attempt port pid log="$dir/redis-$name.log"
    for attempt in 1 2 3; do
        port=$(free_port)
        # Another process may take the port between free_port and bind: then retry with a new one.
        redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize no \
            --dir "$dir" --logfile "$log" "$@" &
        pid=$!
        redis_server_pids+=("$pid")
        for _ in $(seq 100); do
            if ! kill -0 "$pid" 2>/dev/null; then break; fi
            if [[ $(redis-cli -h 127.0.0.1 -p "$port" PING 2>/dev/null) == PONG ]]; then
                printf -v "REDIS_PORT_$name" '%s' "$port"
                echo "redis-server $name: 127.0.0.1:$port (pid $pid)" >&2
                return 0
            fi
            sleep 0.1
        done
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        echo "redis-server $name: attempt $attempt on port $port failed:" >&2
        tail -n 5 "$log" >&2 || true
    done
    echo "redis-server $name: could not start (log: $log)" >&2
    return 1
}

stop_redis_servers() {
    local pid
    for pid in "${redis_server_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${redis_server_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    redis_server_pids=()
}
