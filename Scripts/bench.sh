#!/usr/bin/env bash
# Benchmarks cachectl against reference commands measured in the same run, and prints a
# markdown table of medians and ratios (also written to .build/bench.md). Only the ratios mean
# anything: the machine is shared and noisy, so absolute times move from run to run.
#
#   Scripts/bench.sh                 BENCH_RUNS=50 Scripts/bench.sh
#
# To add a row, add one bench_row line in main (see bench_row below).
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/lib/redis-servers.sh
source Scripts/lib/tls-servers.sh
source Scripts/bench-tags.sh
source Scripts/bench-layouts.sh
source Scripts/bench-usage.sh

runs=${BENCH_RUNS:-30}
entries=${BENCH_SNAPSHOT_ENTRIES:-1000000}
work=.build/bench
mkdir -p "$work"
rows=()

# bench_row NAME CACHECTL_COMMAND REFERENCE_COMMAND GOAL
#   Commands are split on spaces (hyperfine --shell=none: no shell start-up in the figures; quote
#   words with '…' if needed). GOAL is the highest acceptable ratio cachectl/reference, e.g. 1.0.
#   A command that fails gives a row of "error" (the reason goes to stderr); the table goes on.
bench_row() {
    local name=$1 command=$2 reference=$3 goal=$4
    local json="$work/$(echo "$name" | tr -c 'A-Za-z0-9\n' '-').json"
    echo "bench: $name" >&2
    local cmd
    for cmd in "$command" "$reference"; do
        if ! (eval "$cmd") >/dev/null 2>"$work/last-error"; then
            echo "bench: $name: \`$cmd\` failed: $(head -c 300 "$work/last-error" | tr '\n' ' ')" >&2
            rows+=("| $name | error | error | error | ≤ ${goal}× |")
            return 0
        fi
    done
    if ! hyperfine --shell=none --warmup 3 --runs "$runs" --style none --export-json "$json" \
        "$command" "$reference" >/dev/null 2>"$work/last-error"; then
        echo "bench: $name: hyperfine failed: $(head -c 300 "$work/last-error" | tr '\n' ' ')" >&2
        rows+=("| $name | error | error | error | ≤ ${goal}× |")
        return 0
    fi
    rows+=("$(python3 - "$json" "$name" "$goal" <<'PY'
import json, sys
path, name, goal = sys.argv[1], sys.argv[2], sys.argv[3]
ours, reference = (r["median"] * 1000 for r in json.load(open(path))["results"])
ratio = ours / reference
verdict = "" if ratio <= float(goal) else " ✗"
print(f"| {name} | {ours:.2f} | {reference:.2f} | {ratio:.2f}×{verdict} | ≤ {goal}× |")
PY
)")
}

# instructions_row NAME CACHECTL_COMMAND REFERENCE_COMMAND GOAL: instructions of one run of each
#   (valgrind, callgrind's total), in millions. Unlike the wall times of bench_row, which the load of a
#   shared machine moves by ±50 % for a 10 ms process, the count is the same from run to run; the
#   one-key commands have both rows.
instructions_row() {
    local name=$1 command=$2 reference=$3 goal=$4
    echo "bench: $name" >&2
    local counts=() cmd collected
    for cmd in "$command" "$reference"; do
        # shellcheck disable=SC2086 # the command is split on spaces, as in bench_row
        if ! collected=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null $cmd 2>&1 >/dev/null | sed -n 's/.*Collected : *\([0-9]*\).*/\1/p') \
            || [[ ! $collected =~ ^[0-9]+$ ]]; then
            echo "bench: $name: \`$cmd\` gave no instruction count under valgrind" >&2
            rows+=("| $name | error | error | error | ≤ ${goal}× |")
            return 0
        fi
        counts+=("$collected")
    done
    rows+=("$(awk -v name="$name" -v ours="${counts[0]}" -v ref="${counts[1]}" -v goal="$goal" 'BEGIN {
        ratio = ours / ref
        printf "| %s | %.2f M instr. | %.2f M instr. | %.2f×%s | ≤ %s× |\n", name, ours / 1e6, ref / 1e6, ratio, (ratio <= goal ? "" : " ✗"), goal }')")
}

# fill_snapshot PATH COUNT: a snapshot file in the documented format (see man cachectl, FILES),
# written straight through SQLite because a million `cachectl set` runs would take an hour.
# Expiry is left NULL (no expiry); one entry in ten carries a tag.
fill_snapshot() {
    python3 - "$1" "$2" <<'PY'
import datetime, sqlite3, sys
path, count = sys.argv[1], int(sys.argv[2])
db = sqlite3.connect(path, isolation_level=None)
db.executescript("""
PRAGMA application_id = 1667326824;
PRAGMA user_version = 1;
PRAGMA journal_mode = WAL;
CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE entries(key TEXT PRIMARY KEY, value BLOB NOT NULL, expires_at INTEGER) WITHOUT ROWID;
CREATE INDEX entries_by_expiry ON entries(expires_at);
CREATE TABLE tags(tag TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (tag, key)) WITHOUT ROWID;
CREATE INDEX tags_by_key ON tags(key, tag);
CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
""")
created = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
db.execute("BEGIN")
db.executemany("INSERT INTO meta VALUES (?, ?)",
               [("format", "cachectl-snapshot"), ("version", "1"), ("created_at", created)])
db.executemany("INSERT INTO entries VALUES (?, ?, NULL)",
               ((f"article:{i}", b'{"title":"Article %d","body":"%s"}' % (i, b"x" * 64)) for i in range(count)))
db.execute("INSERT INTO entries VALUES ('bench:key', X'76616c7565', NULL)")
db.executemany("INSERT INTO tags VALUES (?, ?)",
               ((f"group:{i % 1000}", f"article:{i}") for i in range(0, count, 10)))
db.executemany("INSERT INTO counters VALUES (?, 0)",
               [(n,) for n in ("hits", "misses", "sets", "deletes", "tag_invalidations")])
db.execute("COMMIT")
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
db.close()
PY
}

# fill_migrate_data COUNT JSONL RESP: COUNT entries of about 200 bytes with TTLs and tags, as
# JSON Lines (the entry format) and as the same writes in RESP for `redis-cli --pipe`.
fill_migrate_data() {
    python3 - "$1" "$2" "$3" <<'PY'
import sys
count, jsonl, resp = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def command(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)
with open(jsonl, "w") as j, open(resp, "wb") as r:
    for i in range(count):
        key, value, ttl, tag = f"bench:m:{i}", f"value-{i:08d}-" + "x" * 183, 3600 + i % 600, f"group:{i % 100}"
        j.write(f'{{"key":"{key}","value":"{value}","ttl":{ttl},"tags":["{tag}"]}}\n')
        r.write(command("SET", key, value, "EX", str(ttl)) + command("SADD", "cache:tag:" + tag, key))
PY
}

# server_cpu PORT: the server's user + system CPU seconds so far (INFO cpu).
server_cpu() {
    redis-cli -p "$1" INFO cpu | awk -F: '/^used_cpu_(user|sys):/ { s += $2 } END { printf "%.3f", s }'
}

# migrate_row NAME PREPARE COMMAND REFERENCE GOAL COUNT [PORT]: entries per second of a migrate run
# against a reference load of the same data in the same run (median of 3 each, database flushed
# before every run); the ratio is cachectl's rate over the reference's, higher is better. With
# PORT, each side also shows its CPU seconds (median), client (the process) and server (INFO
# cpu): on a shared machine the wall ratio follows the CPU both need.
migrate_row() {
    local name=$1 prepare=$2 command=$3 reference=$4 goal=$5 count=$6 port=${7:-}
    echo "bench: $name" >&2
    local times=() cpus=() cmd
    for cmd in "$command" "$reference"; do
        local runs_ms=() server_s=() client_s=()
        for _ in 1 2 3; do
            eval "$prepare" >/dev/null
            local start end before=0 after=0
            [[ -n $port ]] && before=$(server_cpu "$port")
            start=$(date +%s%N)
            if ! /usr/bin/time -f '%U %S' -o "$work/last-cpu" bash -c "$cmd" >/dev/null 2>"$work/last-error"; then
                echo "bench: $name: \`$cmd\` failed: $(head -c 300 "$work/last-error" | tr '\n' ' ')" >&2
                rows+=("| $name | error | error | error | ≥ ${goal}× |")
                return 0
            fi
            end=$(date +%s%N)
            [[ -n $port ]] && after=$(server_cpu "$port")
            runs_ms+=($(((end - start) / 1000000)))
            server_s+=("$(echo "$after - $before" | bc)")
            client_s+=("$(awk '{ printf "%.2f", $1 + $2 }' "$work/last-cpu")")
        done
        times+=("$(printf '%s\n' "${runs_ms[@]}" | sort -n | sed -n 2p)")
        cpus+=("$(printf '%s\n' "${client_s[@]}" | sort -n | sed -n 2p)/$(printf '%s\n' "${server_s[@]}" | sort -n | sed -n 2p)")
    done
    rows+=("$(python3 - "$name" "${times[0]}" "${times[1]}" "$goal" "$count" "${port:+${cpus[0]}}" "${port:+${cpus[1]}}" <<'PY'
import sys
name, ours, ref, goal, count = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
def cpu(text):
    if not text: return ""
    client, server = text.split("/")
    return f"; CPU client {float(client):.2f} s + server {float(server):.2f} s"
ratio = ref / ours
verdict = "" if ratio >= goal else " ✗"
print(f"| {name} | {ours:.0f} ({count / ours * 1000:,.0f}/s{cpu(sys.argv[6])}) | {ref:.0f} ({count / ref * 1000:,.0f}/s{cpu(sys.argv[7])}) | {ratio:.2f}× rate{verdict} | ≥ {goal}× |")
PY
)")
}

# peak_rss_row NAME COMMAND GOAL_MB: peak resident memory of one run.
peak_rss_row() {
    local name=$1 command=$2 goal=$3
    echo "bench: $name" >&2
    local kb
    if ! kb=$( { /usr/bin/time -f '%M' bash -c "$command >/dev/null 2>&1"; } 2>&1 | tail -1); then
        rows+=("| $name | error | | | < ${goal} MB |")
        return 0
    fi
    local mb=$((kb / 1024)) verdict=""
    ((mb < goal)) || verdict=" ✗"
    rows+=("| $name | ${mb} MB peak RSS | | ${mb} MB${verdict} | < ${goal} MB |")
}

# value_rss_row NAME COMMAND VALUE_FILE: peak resident memory of one run as a multiple of the
# value's size; the goal is about 1.5× (the value held once, plus the process itself).
value_rss_row() {
    local name=$1 command=$2 value=$3
    echo "bench: $name" >&2
    local kb size measured
    size=$(stat -c %s "$value")
    # "STATUS KB": a command that fails measures nothing.
    measured=$( { /usr/bin/time -f '%x %M' bash -c "set -o pipefail; $command >/dev/null 2>&1"; } 2>&1 | tail -1)
    kb=${measured#* }
    if [[ ${measured%% *} != 0 || ! $kb =~ ^[0-9]+$ ]]; then
        rows+=("| $name | error | $((size / 1048576)) MB value | | ≤ 1.5× |")
        return 0
    fi
    local ratio verdict=""
    ratio=$(awk -v kb="$kb" -v size="$size" 'BEGIN { printf "%.2f", kb * 1024 / size }')
    awk -v r="$ratio" 'BEGIN { exit !(r <= 1.5) }' || verdict=" ✗"
    rows+=("| $name | $((kb / 1024)) MB peak RSS | $((size / 1048576)) MB value | ${ratio}×${verdict} | ≤ 1.5× |")
}

# bench_tls BIN DIR: TLS against TCP and against redis-cli --tls, on one server with both ports.
bench_tls() {
    local bin=$1 dir=$2
    make_test_ca "$dir/tls"
    start_tls_redis BENCHTLS "$dir/tls" server --tls-auth-clients no
    local plain="redis://127.0.0.1:$REDIS_PORT_BENCHTLS" secure="rediss://localhost:$TLS_PORT_BENCHTLS" ca="$dir/tls/ca.crt"
    bench_row "ping over TLS (whole process)" "$bin --url $secure --cacert $ca ping" \
        "redis-cli --tls --cacert $ca -h localhost -p $TLS_PORT_BENCHTLS PING" 1.2
    instructions_row "ping over TLS, instructions" "$bin --url $secure --cacert $ca ping" \
        "redis-cli --tls --cacert $ca -h localhost -p $TLS_PORT_BENCHTLS PING" 1.2
    local count=${BENCH_TLS_ENTRIES:-100000}
    python3 Scripts/generate-manifest.py "$count" >"$dir/tls-manifest.jsonl"
    migrate_row "warmup $count entries, TLS vs TCP" "redis-cli -p $REDIS_PORT_BENCHTLS FLUSHALL" \
        "$bin warmup --url $secure --cacert $ca --from $dir/tls-manifest.jsonl -q" \
        "$bin warmup --url $plain --from $dir/tls-manifest.jsonl -q" 0.85 "$count"
}

main() {
    Scripts/install-deps.sh --with-bench
    echo "bench: building release" >&2
    swift build -c release --static-swift-stdlib >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
    local bin
    bin="$(swift build -c release --static-swift-stdlib --show-bin-path)/cachectl"

    tmp=$(mktemp -d /tmp/cachectl-bench.XXXXXX)
    trap 'stop_redis_servers; rm -rf "$tmp"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    start_redis BENCH "$tmp"
    local port=$REDIS_PORT_BENCH url="redis://127.0.0.1:$REDIS_PORT_BENCH"
    redis-cli -p "$port" SET bench:key value >/dev/null

    # The filled file is kept between runs (filling takes a while); each run works on a copy.
    local template="$work/snapshot-v1-$entries.snapshot" snapshot="$tmp/bench.snapshot"
    if [[ ! -s $template ]]; then
        echo "bench: filling a snapshot with $entries entries" >&2
        rm -f "$template"
        local started=$SECONDS
        fill_snapshot "$template.partial" "$entries"
        mv "$template.partial" "$template"
        echo "bench: filled in $((SECONDS - started))s" >&2
    fi
    cp "$template" "$snapshot"

    bench_row "start-up" "$bin --version" "redis-cli --version" 1.0
    # The one-key commands: wall time, and instructions (the same in every run, whatever the load).
    bench_row "get one key (redis)" "$bin --url $url get bench:key" "redis-cli -p $port GET bench:key" 1.1
    instructions_row "get one key (redis), instructions" "$bin --url $url get bench:key" "redis-cli -p $port GET bench:key" 1.1
    bench_row "set one key (redis)" "$bin --url $url set bench:key value" "redis-cli -p $port SET bench:key value" 1.1
    instructions_row "set one key (redis), instructions" "$bin --url $url set bench:key value" "redis-cli -p $port SET bench:key value" 1.1
    bench_row "snapshot get, $entries entries" "$bin --url file:$snapshot get bench:key" "$bin --version" 2.0
    bench_row "snapshot set, $entries entries" "$bin --url file:$snapshot set bench:key value" "$bin --version" 2.0
    # The same commands on a one-entry file: a ratio near 1 means no work grows with the file.
    local small="$tmp/small.snapshot"
    "$bin" --url "file:$small" set bench:key value -q >/dev/null
    bench_row "snapshot get, $entries vs 1 entry" "$bin --url file:$snapshot get bench:key" "$bin --url file:$small get bench:key" 1.2
    bench_row "snapshot set, $entries vs 1 entry" "$bin --url file:$snapshot set bench:key value" "$bin --url file:$small set bench:key value" 1.2
    bench_tags "$bin" "$port" "$work/tags"
    bench_row "stats (redis)" "$bin --url $url stats" "redis-cli -p $port INFO" 1.1
    instructions_row "stats (redis), instructions" "$bin --url $url stats" "redis-cli -p $port INFO" 1.1
    bench_layouts "$bin" "$port" "$work/layouts"
    bench_usage "$bin" "$port" "$work/usage"

    local migrate_count=${BENCH_MIGRATE_ENTRIES:-100000} rss_count=${BENCH_MIGRATE_RSS_ENTRIES:-1000000}
    fill_migrate_data "$migrate_count" "$tmp/migrate.jsonl" "$tmp/migrate.resp"
    migrate_row "migrate $migrate_count JSON Lines → redis" "redis-cli -p $port FLUSHALL" \
        "$bin migrate --from jsonl:$tmp/migrate.jsonl --to $url/0 -q" \
        "redis-cli -p $port --pipe < $tmp/migrate.resp" 0.9 "$migrate_count" "$port"
    migrate_row "migrate $migrate_count redis → redis" "redis-cli -p $port -n 1 FLUSHDB" \
        "$bin migrate --from $url/0 --to $url/1 -q" \
        "redis-cli -p $port -n 1 --pipe < $tmp/migrate.resp" 0.8 "$migrate_count" "$port"
    fill_migrate_data "$rss_count" "$tmp/rss.jsonl" "$tmp/rss.resp"
    redis-cli -p "$port" FLUSHALL >/dev/null
    peak_rss_row "migrate $rss_count JSON Lines → redis" "$bin migrate --from jsonl:$tmp/rss.jsonl --to $url/0 -q" 50
    redis-cli -p "$port" -n 1 FLUSHDB >/dev/null
    peak_rss_row "migrate $rss_count redis → redis" "$bin migrate --from $url/0 --to $url/1 -q" 50
    # Redis sources attach tags from an on-disk membership file: memory stays flat in the keys.
    peak_rss_row "migrate $rss_count redis → JSON Lines" "$bin migrate --from $url/0 --to jsonl:$tmp/rss-out.jsonl --on-conflict replace -q" 50
    peak_rss_row "migrate $rss_count redis → snapshot" "rm -f $tmp/rss.snapshot*; $bin migrate --from $url/0 --to file:$tmp/rss.snapshot -q" 50
    # One 50 MB value through set and get: peak RSS against the value's size, goal about 1.5×.
    head -c 52428800 /dev/urandom >"$tmp/big.bin"
    rm -f "$tmp"/big.snapshot*
    local target
    for target in "redis $url/2" "snapshot file:$tmp/big.snapshot"; do
        local name=${target%% *} at=${target#* }
        value_rss_row "set one 50 MB value --file ($name)" "$bin --url $at set big:value --file $tmp/big.bin -q" "$tmp/big.bin"
        value_rss_row "set one 50 MB value from stdin, over the old one ($name)" "cat $tmp/big.bin | $bin --url $at set big:value - -q" "$tmp/big.bin"
        value_rss_row "get one 50 MB value --raw ($name)" "$bin --url $at get big:value --raw" "$tmp/big.bin"
        value_rss_row "get one 50 MB value --format json ($name)" "$bin --url $at get big:value --format json" "$tmp/big.bin"
        value_rss_row "get one 50 MB value --format jsonl ($name)" "$bin --url $at get big:value --format jsonl" "$tmp/big.bin"
    done
    # migrate reads PTTL, GET pipelined: the big bulk follows an integer reply in the same read.
    value_rss_row "migrate one 50 MB value redis → redis" "$bin migrate --from $url/2 --to $url/3 --on-conflict replace -q" "$tmp/big.bin"
    value_rss_row "migrate one 50 MB value snapshot → redis" "$bin migrate --from file:$tmp/big.snapshot --to $url/3 --on-conflict replace -q" "$tmp/big.bin"
    bench_tls "$bin" "$tmp"

    {
        echo "cachectl $("$bin" --version 2>/dev/null || echo '?'), $(redis-server --version | cut -d' ' -f1-3), $(nproc) cores, $runs runs, median ms"
        echo
        echo "| benchmark | cachectl | reference | ratio | goal |"
        echo "| --- | ---: | ---: | ---: | ---: |"
        printf '%s\n' "${rows[@]}"
    } | tee .build/bench.md

    # Warmup throughput against `redis-cli --pipe`, snapshot fill rate and peak RSS (own server, own table).
    Scripts/bench-warmup.sh | tee -a .build/bench.md
    Scripts/bench-cluster.sh | tee -a .build/bench.md
}

# Sourced (by Scripts/bench-usage.sh run on its own) it only defines the functions.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then main "$@"; fi
