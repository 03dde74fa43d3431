# Servers that refuse, for the fault suites (issue 9). Source after redis-servers.sh, then call
# start_fault_servers DIR once server A runs ($REDIS_PORT_A). Each is private, on 127.0.0.1,
# stopped by pid with the others (stop_redis_servers; the fake server is in the same list).
#
#   OOM       maxmemory 3mb + noeviction: writes are refused with OOM once it is full
#   NOEVAL    EVAL and EVALSHA renamed away (rename-command … "")
#   REPLICA   a read-only replica of server A: writes are refused with READONLY
#   ACL user  on server A: every command except @scripting (the user and a random password in the URL)
#   LOADING   a fake server (Scripts/lib/fake-loading-server.py) that answers every command with LOADING
#   SPARE     a server the fault tests may restart (DEBUG RESTART, from loopback) and whose clients they kill
#
# Exports CACHECTL_TEST_REDIS_{OOM,NOEVAL,REPLICA,NOSCRIPT_USER,LOADING,SPARE}_URL and the
# SPARE server's pid (CACHECTL_TEST_REDIS_SPARE_PID), which the tests pause with SIGSTOP.

start_fault_servers() {
    local dir=$1
    start_redis OOM "$dir" --maxmemory 3mb --maxmemory-policy noeviction
    start_redis NOEVAL "$dir" --rename-command EVAL "" --rename-command EVALSHA ""
    start_redis REPLICA "$dir" --replicaof 127.0.0.1 "$REDIS_PORT_A"
    # DEBUG RESTART re-executes the server by the path it was started with: give it an absolute one.
    local redis_server_path
    redis_server_path=$(command -v redis-server)
    redis-server() { exec "$redis_server_path" "$@"; }
    start_redis SPARE "$dir" --enable-debug-command local
    unset -f redis-server
    export CACHECTL_TEST_REDIS_SPARE_PID=${redis_server_pids[-1]}
    local acl_password
    acl_password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT_A" ACL SETUSER noscript reset on ">$acl_password" '~*' '&*' +@all -@scripting >/dev/null
    local port pid
    port=$(free_port)
    python3 Scripts/lib/fake-loading-server.py "$port" &
    pid=$!
    redis_server_pids+=("$pid")
    for _ in $(seq 50); do
        [[ $(redis-cli -h 127.0.0.1 -p "$port" PING 2>/dev/null) == LOADING* ]] && break
        sleep 0.1
    done
    echo "fake LOADING server: 127.0.0.1:$port (pid $pid)" >&2
    export CACHECTL_TEST_REDIS_OOM_URL="redis://127.0.0.1:$REDIS_PORT_OOM"
    export CACHECTL_TEST_REDIS_NOEVAL_URL="redis://127.0.0.1:$REDIS_PORT_NOEVAL"
    export CACHECTL_TEST_REDIS_REPLICA_URL="redis://127.0.0.1:$REDIS_PORT_REPLICA"
    export CACHECTL_TEST_REDIS_NOSCRIPT_USER_URL="redis://noscript:$acl_password@127.0.0.1:$REDIS_PORT_A"
    export CACHECTL_TEST_REDIS_LOADING_URL="redis://127.0.0.1:$port"
    export CACHECTL_TEST_REDIS_SPARE_URL="redis://127.0.0.1:$REDIS_PORT_SPARE"
}
