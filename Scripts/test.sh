#!/usr/bin/env bash
# Runs every test suite against two private redis-servers and checks the generated docs.
#
#   server A: no password, TCP on a free 127.0.0.1 port and a unix socket (mode 700)
#   server B: requirepass with a random password (the URL given to tests holds none)
#   a Redis Cluster of 3 primaries + 3 replicas, and a primary + replica + sentinel
#   (Scripts/lib/cluster-servers.sh)
#   TLS servers and an HTTPS server: Scripts/lib/tls-servers.sh
#
# Both servers are stopped by pid and the temp dir removed on exit, also when tests fail.
# Extra arguments go to `swift test` (e.g. Scripts/test.sh --filter IntegrationTests).
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/lib/redis-servers.sh
source Scripts/lib/cluster-servers.sh
source Scripts/lib/framework-env.sh
source Scripts/lib/fault-servers.sh
source Scripts/lib/tls-servers.sh
source Scripts/lib/python-env.sh

started=$(date +%s)
# tmux: the usage chart is checked in a real terminal.
Scripts/install-deps.sh --with-server tmux
# redis-py in .build/venv-redispy writes the usage suites' data as an application would.
redispy_env
# The Prometheus test parses stats output with the reference parser: from PyPI, else Debian's package.
python3 -c 'import prometheus_client' 2>/dev/null \
    || python3 -m pip install --quiet prometheus-client 2>/dev/null \
    || Scripts/install-deps.sh python3-prometheus-client
# The layout tests run Django, Symfony Cache and Laravel's cache against the test servers.
prepare_frameworks

# /tmp rather than $TMPDIR: a unix socket path must stay under 108 bytes.
tmp=$(mktemp -d /tmp/cachectl-test.XXXXXX)
cleanup() {
    local status=$?
    stop_tls_servers
    stop_redis_servers
    stop_cluster_servers
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
# The password goes into a file, not onto redis-server's command line where ps would show it.
(umask 077 && printf 'requirepass %s\n' "$password" >"$tmp/auth.conf")

start_redis A "$tmp" --unixsocket "$tmp/redis.sock" --unixsocketperm 700
REDISCLI_AUTH=$password start_redis B "$tmp" --include "$tmp/auth.conf"
start_fault_servers "$tmp"

# TLS servers, certificates, an ACL user and an HTTPS server (see Scripts/lib/tls-servers.sh).
start_tls_servers "$tmp/tls"

export CACHECTL_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT_A"
export CACHECTL_TEST_REDIS_SOCKET="$tmp/redis.sock"
export CACHECTL_TEST_REDIS_AUTH_URL="redis://127.0.0.1:$REDIS_PORT_B"
export CACHECTL_TEST_REDIS_PASSWORD="$password"
start_redis_cluster "$tmp/cluster"
start_redis_sentinel "$tmp/sentinel" cachectl
export CACHECTL_TEST_CLUSTER_URL="redis+cluster://$REDIS_CLUSTER_SEEDS"
export CACHECTL_TEST_CLUSTER_DIR="$tmp/cluster"
export CACHECTL_TEST_SENTINEL_URL="redis+sentinel://127.0.0.1:$REDIS_SENTINEL_PORT/cachectl"
export CACHECTL_REQUIRE_INTEGRATION=1

step=$(date +%s)
swift build
CACHECTL_BIN="$(swift build --show-bin-path)/cachectl"
export CACHECTL_BIN
build_seconds=$(($(date +%s) - step))

step=$(date +%s)
tests=ok
swift test "$@" || tests=failed
test_seconds=$(($(date +%s) - step))

docs=ok
Scripts/generate-docs.sh --check || docs=stale

echo
echo "build ${build_seconds}s, tests ${test_seconds}s, total $(($(date +%s) - started))s"
echo "tests: $tests; docs: $docs"
if [[ $docs == stale ]]; then
    echo "FAILED: completions/ or man/ are stale: run Scripts/generate-docs.sh (make docs)" >&2
fi
if [[ $tests == failed ]]; then
    echo "FAILED: swift test" >&2
fi
[[ $tests == ok && $docs == ok ]]
