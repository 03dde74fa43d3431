#!/usr/bin/env bash
# Benchmarks of `usage` and `keys` over a database of 1,000,000 keys (BENCH_USAGE_KEYS).
#
# Sourced by Scripts/bench.sh, which calls  bench_usage BIN PORT WORKDIR  after starting its
# server and appends the rows to its table; uses its bench_row and peak_rss_row. Database 3 of
# that server is filled once per run with `redis-cli --pipe`: four namespaces of strings of
# different sizes, with and without TTLs, plus hashes.
#
#   usage --exact vs redis-cli --memkeys, whole process (both touch every key)     goal ≤ 0.2×
#   usage (sampled, the default) vs usage --exact, and the largest difference
#     between their shares in percentage points                                     goal ≤ 0.1×, ±2
#   keys --format jsonl, peak RSS                                                   goal < 50 MB
#
# Run on its own:  Scripts/bench-usage.sh [path/to/cachectl]   (own redis-server, prints the rows)

# gen_usage_resp FILE COUNT: the fill as RESP.
gen_usage_resp() {
    python3 - "$1" "$2" <<'PY'
import random, sys
path, count = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
def cmd(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)
with open(path, "wb") as f:
    buf = []
    for i in range(count):
        r = i % 10
        if r < 4:
            buf.append(cmd("SET", f"session:{i}", b"s" * rng.randint(50, 150), "EX", 3600))
        elif r < 7:
            buf.append(cmd("SET", f"user:{i}:profile", b"u" * rng.randint(200, 400)))
        elif r < 9:
            buf.append(cmd("SET", f"article:{i}", b"a" * rng.randint(500, 1500), "EX", 86400))
        else:
            buf.append(cmd("HSET", f"cart:{i}", "item", b"x" * 30, "qty", "2"))
        if len(buf) >= 10000:
            f.write(b"".join(buf))
            buf = []
    f.write(b"".join(buf))
PY
}

# timed_median_ms COMMAND: median wall time of 3 runs of COMMAND (through bash), in ms.
timed_median_ms() {
    local runs=() start end
    for _ in 1 2 3; do
        start=$(date +%s%N)
        bash -c "$1" >/dev/null 2>&1 || return 1
        end=$(date +%s%N)
        runs+=($(((end - start) / 1000000)))
    done
    printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p
}

# cpu_ms PORT COMMAND: CPU time of one run in ms, "CLIENT SERVER": the client's (user + sys,
# /usr/bin/time) and the server's (INFO cpu, the server process's user + sys). On a shared,
# saturated machine wall times follow whatever else runs; CPU time does not, so these rows say
# what each side costs. (INFO commandstats' usec_per_call is wall time inside the command and
# counts the server's time off the CPU on a loaded machine: not used.)
cpu_ms() {
    local port=$1 command=$2 before after client
    server_cpu() { redis-cli -p "$port" INFO cpu | awk -F: '/^used_cpu_(sys|user):/ { s += $2 } END { printf "%.0f", s * 1000 }'; }
    before=$(server_cpu)
    client=$({ /usr/bin/time -f '%U %S' bash -c "$command >/dev/null 2>&1"; } 2>&1 | tail -1 | awk '{ printf "%.0f", ($1 + $2) * 1000 }')
    after=$(server_cpu)
    echo "$client $((after - before))"
}

bench_usage() {
    local bin=$1 port=$2 dir=$3 count=${BENCH_USAGE_KEYS:-1000000}
    local url="redis://127.0.0.1:$port/3"
    mkdir -p "$dir"
    echo "bench: filling database 3 with $count keys for usage/keys" >&2
    [[ -s $dir/usage-$count.resp ]] || gen_usage_resp "$dir/usage-$count.resp" "$count"
    redis-cli -p "$port" -n 3 FLUSHDB >/dev/null
    redis-cli -p "$port" -n 3 --pipe <"$dir/usage-$count.resp" >/dev/null

    echo "bench: usage --exact vs redis-cli --memkeys, $count keys" >&2
    local exact memkeys load
    load=$(cut -d' ' -f1 /proc/loadavg)
    if exact=$(timed_median_ms "$bin --url $url usage --exact") && memkeys=$(timed_median_ms "redis-cli -p $port -n 3 --memkeys"); then
        rows+=("$(python3 -c 'import sys; o, r, n, l = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4]; v = "" if o / r <= 0.2 else " ✗"; print(f"| usage --exact vs redis-cli --memkeys, {int(n):,} keys (load {l}) | {o:.0f} | {r:.0f} | {o / r:.2f}×{v} | ≤ 0.2× |")' "$exact" "$memkeys" "$count" "$load")")
    else
        rows+=("| usage --exact vs redis-cli --memkeys | error | error | error | ≤ 0.2× |")
    fi

    # The exact scan is bound by the server: SCAN, PTTL and MEMORY USAGE cost it about 1.3-1.5 µs
    # of CPU per key each, near the floor of any command (EXISTS: 1.2 µs, measured with
    # redis-cli --pipe); redis-cli --memkeys sends as many commands per key (TYPE, MEMORY USAGE)
    # plus a SCAN per 10 keys. With the server CPU per key nearly equal, the wall-time ratio
    # only falls far below 1 where redis-cli waits on its 100,000 round trips.
    local ours_cpu ref_cpu
    if ours_cpu=$(cpu_ms "$port" "$bin --url $url usage --exact") && ref_cpu=$(cpu_ms "$port" "redis-cli -p $port -n 3 --memkeys"); then
        rows+=("$(python3 -c 'import sys; oc, os_, rc, rs = map(float, sys.argv[1:5]); n = float(sys.argv[5])
print(f"| usage --exact vs redis-cli --memkeys: client CPU ms ({oc / n * 1000:.2f} vs {rc / n * 1000:.2f} µs/key) | {oc:.0f} | {rc:.0f} | {oc / rc:.2f}× | report |")
print(f"| usage --exact vs redis-cli --memkeys: server CPU ms ({os_ / n * 1000:.2f} vs {rs / n * 1000:.2f} µs/key) | {os_:.0f} | {rs:.0f} | {os_ / rs:.2f}× | report |")
print(f"| usage --exact vs redis-cli --memkeys: CPU ms, client + server | {oc + os_:.0f} | {rc + rs:.0f} | {(oc + os_) / (rc + rs):.2f}× | report |")' $ours_cpu $ref_cpu "$count")")
    fi

    echo "bench: usage sampled vs exact, $count keys" >&2
    local sampled
    if sampled=$(timed_median_ms "$bin --url $url usage"); then
        "$bin" --url "$url" usage --exact --format json >"$dir/usage-exact.json"
        "$bin" --url "$url" usage --format json >"$dir/usage-sampled.json"
        rows+=("$(python3 - "$dir/usage-exact.json" "$dir/usage-sampled.json" "$sampled" "$exact" <<'PY'
import json, sys
exact, sampled = (json.load(open(p)) for p in sys.argv[1:3])
ours, reference = float(sys.argv[3]), float(sys.argv[4])
shares = {g["group"]: g["share"] for g in exact["groups"]}
diff = max(abs(g["share"] - shares.get(g["group"], 0)) for g in sampled["groups"])
margin = max(g["share_margin"] or 0 for g in sampled["groups"])
ok = ours / reference <= 0.1 and diff <= 2
verdict = "" if ok else " ✗"
print(f"| usage sampled ({sampled['sampled']:,} keys) vs --exact; shares off by ≤ {diff:.2f} points (stated ±{margin:.2f}) | {ours:.0f} | {reference:.0f} | {ours / reference:.3f}×{verdict} | ≤ 0.1×, ±2 points |")
PY
)")
    else
        rows+=("| usage sampled vs --exact | error | error | error | ≤ 0.1× |")
    fi

    peak_rss_row "keys --format jsonl, $count keys" "$bin --url $url keys --format jsonl" 50
    redis-cli -p "$port" -n 3 FLUSHDB >/dev/null
}

# Run directly (and not again when bench.sh, sourced below, sources this file).
if [[ ${BASH_SOURCE[0]} == "$0" && -z ${bench_usage_standalone:-} ]]; then
    bench_usage_standalone=1
    set -euo pipefail
    cd "$(dirname "$0")/.."
    source Scripts/bench.sh
    Scripts/install-deps.sh --with-bench
    bin=${1:-}
    if [[ -z $bin ]]; then
        swift build -c release --static-swift-stdlib >&2
        bin="$(swift build -c release --static-swift-stdlib --show-bin-path)/cachectl"
    fi
    tmp=$(mktemp -d /tmp/cachectl-bench-usage.XXXXXX)
    trap 'stop_redis_servers; rm -rf "$tmp"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    start_redis USAGE "$tmp"
    rows=()
    bench_usage "$bin" "$REDIS_PORT_USAGE" .build/bench/usage
    echo "| benchmark | cachectl | reference | ratio | goal |"
    echo "| --- | ---: | ---: | ---: | ---: |"
    printf '%s\n' "${rows[@]}"
fi
