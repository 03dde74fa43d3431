#!/usr/bin/env bash
# Benchmarks of invalidate-tag and flush against redis-cli doing the same deletions.
#
# Sourced by Scripts/bench.sh (which calls bench_tags BIN PORT WORKDIR after starting its server),
# or run on its own:  Scripts/bench-tags.sh [path/to/cachectl]   (own redis-server, prints rows)
#
# The operations are destructive, so every timed run is preceded (hyperfine --prepare) by a
# refill from a RESP file generated once with `redis-cli --pipe`. Both sides are run through
# `sh -c` so the shell start-up (needed for the reference's redirection) is in both figures.

# gen_tag_fill FILE COUNT TAG: SET bt:<i> for i < COUNT plus SADD of all of them to the tag set.
gen_tag_resp() {
    python3 - "$@" <<'PY'
import sys
fill, unlink, count, tag = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def cmd(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)
keys = [f"bt:{tag}:{i}".encode() for i in range(count)]
with open(fill, "wb") as f:
    f.write(cmd("UNLINK", f"cache:tag:{tag}"))
    for k in keys: f.write(cmd("SET", k, "v"))
    for s in range(0, count, 1000): f.write(cmd("SADD", f"cache:tag:{tag}", *keys[s:s + 1000]))
with open(unlink, "wb") as f:
    for s in range(0, count, 1000): f.write(cmd("UNLINK", *keys[s:s + 1000]))
    f.write(cmd("UNLINK", f"cache:tag:{tag}"))
PY
}

# gen_flush_resp FILE: 100,000 keys fl:a:<i> (to flush) and 100,000 fl:b:<i> (to keep).
gen_flush_resp() {
    python3 - "$1" <<'PY'
import sys
with open(sys.argv[1], "wb") as f:
    for group in ("a", "b"):
        for i in range(100000):
            k = f"fl:{group}:{i}".encode()
            f.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nv\r\n" % (len(k), k))
PY
}

# tags_server_ms PORT PREPARE COMMAND: the server CPU milliseconds (INFO cpu) of one run of COMMAND
# after PREPARE, the least of three.
tags_server_ms() {
    local port=$1 prepare=$2 command=$3 best="" before after ms
    for _ in 1 2 3; do
        bash -c "$prepare" >/dev/null 2>&1
        before=$(redis-cli -p "$port" INFO cpu | awk -F: '/^used_cpu_(user|sys):/ { s += $2 } END { print s }')
        bash -c "$command" >/dev/null 2>&1
        after=$(redis-cli -p "$port" INFO cpu | awk -F: '/^used_cpu_(user|sys):/ { s += $2 } END { print s }')
        ms=$(awk -v a="$after" -v b="$before" 'BEGIN { printf "%.0f", (a - b) * 1000 }')
        if [[ -z $best ]] || ((ms < best)); then best=$ms; fi
    done
    echo "$best"
}

# bench_prepared_row NAME PREPARE COMMAND REFERENCE GOAL RUNS [PORT]: like bench.sh's bench_row,
# with a refill before every timed run; with PORT each side also shows the server CPU one run
# costs. Appends to rows[] when bench.sh defines it, else prints the row.
bench_prepared_row() {
    local name=$1 prepare=$2 command=$3 reference=$4 goal=$5 runs=$6 port=${7:-}
    local json="$tags_work/$(echo "$name" | tr -c 'A-Za-z0-9\n' '-').json" row
    echo "bench: $name" >&2
    if ! hyperfine --warmup 1 --runs "$runs" --style none --export-json "$json" \
        --prepare "$prepare" "$command" "$reference" >/dev/null 2>"$tags_work/last-error"; then
        echo "bench: $name: hyperfine failed: $(head -c 300 "$tags_work/last-error" | tr '\n' ' ')" >&2
        row="| $name | error | error | error | ≤ ${goal}× |"
    else
        local server_ours="" server_ref=""
        if [[ -n $port ]]; then
            server_ours=$(tags_server_ms "$port" "$prepare" "$command")
            server_ref=$(tags_server_ms "$port" "$prepare" "$reference")
        fi
        row=$(python3 - "$json" "$name" "$goal" "$server_ours" "$server_ref" <<'PY'
import json, sys
path, name, goal = sys.argv[1], sys.argv[2], sys.argv[3]
ours, reference = (r["median"] * 1000 for r in json.load(open(path))["results"])
server = lambda ms: f" (server CPU {ms} ms)" if ms else ""
ratio = ours / reference
verdict = "" if ratio <= float(goal) else " ✗"
print(f"| {name} | {ours:.2f}{server(sys.argv[4])} | {reference:.2f}{server(sys.argv[5])} | {ratio:.2f}×{verdict} | ≤ {goal}× |")
PY
)
    fi
    if declare -p rows >/dev/null 2>&1; then rows+=("$row"); else echo "$row"; fi
}

# bench_tags BIN PORT WORKDIR
bench_tags() {
    local bin=$1 port=$2
    tags_work=$3
    mkdir -p "$tags_work"
    local url="redis://127.0.0.1:$port" cli="redis-cli -p $port" n runs goal
    for n in 1000 10000 100000; do
        goal=$([ "$n" -ge 10000 ] && echo 1.3 || echo 1.5)
        gen_tag_resp "$tags_work/fill-$n.resp" "$tags_work/unlink-$n.resp" "$n" "t$n"
        runs=$(( n >= 100000 ? 10 : ${BENCH_RUNS:-30} ))
        bench_prepared_row "invalidate-tag, $n members" \
            "sh -c '$cli --pipe < $tags_work/fill-$n.resp >/dev/null'" \
            "$bin --url $url invalidate-tag t$n" \
            "sh -c '$cli --pipe < $tags_work/unlink-$n.resp >/dev/null'" "$goal" "$runs" "$port"
    done
    gen_flush_resp "$tags_work/flush.resp"
    bench_prepared_row "flush --pattern, 100,000 of 200,000 keys" \
        "sh -c '$cli flushdb >/dev/null; $cli --pipe < $tags_work/flush.resp >/dev/null'" \
        "$bin --url $url flush --pattern fl:a:* --yes" \
        "sh -c \"$cli --scan --pattern 'fl:a:*' | xargs $cli unlink >/dev/null\"" 1.0 10
    $cli flushdb >/dev/null
    # Peak memory of a 1,000,000-member invalidation (goal: under 50 MB).
    gen_tag_resp "$tags_work/fill-1m.resp" "$tags_work/unlink-1m.resp" 1000000 t1m
    $cli --pipe <"$tags_work/fill-1m.resp" >/dev/null
    local rss seconds
    /usr/bin/time -v "$bin" --url "$url" invalidate-tag t1m >/dev/null 2>"$tags_work/time-1m.txt"
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tags_work/time-1m.txt")
    seconds=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$tags_work/time-1m.txt")
    local row="| invalidate-tag, 1,000,000 members: peak RSS | $((rss / 1024)) MB | (wall $seconds) | - | < 50 MB |"
    if declare -p rows >/dev/null 2>&1; then rows+=("$row"); else echo "$row"; fi
    $cli flushdb >/dev/null
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    set -euo pipefail
    cd "$(dirname "$0")/.."
    source Scripts/lib/redis-servers.sh
    bin=${1:-}
    if [[ -z $bin ]]; then
        swift build -c release >/dev/null
        bin="$(swift build -c release --show-bin-path)/cachectl"
    fi
    tmp=$(mktemp -d /tmp/cachectl-bench-tags.XXXXXX)
    trap 'stop_redis_servers; rm -rf "$tmp"' EXIT
    start_redis TAGS "$tmp"
    echo "| benchmark | cachectl | reference | ratio | goal |"
    echo "| --- | ---: | ---: | ---: | ---: |"
    bench_tags "$bin" "$REDIS_PORT_TAGS" "$tmp/work"
fi
