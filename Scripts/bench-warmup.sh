#!/usr/bin/env bash
# Warmup benchmark: 100,000 entries (~200 bytes, TTL, 2-3 shared tags; then each with its own tag
# plus one or two shared ones) loaded by `cachectl warmup --from` and, in the same run, the
# equivalent SET EX + SADD protocol by `redis-cli --pipe` (FLUSHALL between); 100,000 and 1,000,000
# entries into a new snapshot file against a minimal Python sqlite3 loader of the same rows; peak
# RSS at 1,000,000 entries into Redis and into the snapshot.
#
#   Scripts/bench-warmup.sh            # starts its own redis-server on a free port
#   COUNT=100000 BIG=1000000 RUNS=3 Scripts/bench-warmup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-100000}
BIG=${BIG:-1000000}
RUNS=${RUNS:-3}
PORT=${PORT:-16431}
work=$(mktemp -d)
trap 'if [ -f "$work/redis.pid" ]; then kill "$(cat "$work/redis.pid")" 2>/dev/null || true; fi; rm -rf "$work"' EXIT

swift build -c release --static-swift-stdlib >/dev/null
bin=$(swift build -c release --static-swift-stdlib --show-bin-path)/cachectl
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$work/redis.pid" --logfile "$work/redis.log" --dir "$work"
for _ in $(seq 50); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
url="redis://127.0.0.1:$PORT"

now() { date +%s.%N; }
# verdict RATIO GOAL: " ✗" when RATIO is under GOAL (the rows here are rates: higher is better).
verdict() { if (( $(echo "$1 < $2" | bc -l) )); then printf ' ✗'; fi; }
# The server's user + system CPU seconds so far (INFO cpu).
server_cpu() { redis-cli -p "$PORT" INFO cpu | awk -F: '/^used_cpu_(user|sys):/ { s += $2 } END { printf "%.3f", s }'; }

# pipe_row NAME MANIFEST RESP: best of RUNS of `cachectl warmup` against `redis-cli --pipe` of the
# same SET EX + SADD protocol, FLUSHALL before each run. Each side also shows its least CPU
# seconds, client (the process) + server (INFO cpu): on a shared machine the wall ratio follows
# the CPU both need.
pipe_row() {
    local name=$1 manifest=$2 resp=$3 best_ours=0 best_pipe=0 run start end ours pipe before
    local cpu_ours=99 cpu_pipe=99 server_ours=99 server_pipe=99 client server
    for run in $(seq "$RUNS"); do
        redis-cli -p "$PORT" flushall >/dev/null
        before=$(server_cpu)
        start=$(now); /usr/bin/time -f '%U %S' -o "$work/cpu" "$bin" warmup --url "$url" --from "$manifest" -q >/dev/null; end=$(now)
        server=$(echo "$(server_cpu) - $before" | bc); client=$(awk '{ print $1 + $2 }' "$work/cpu")
        (( $(echo "$server < $server_ours" | bc) )) && server_ours=$server
        (( $(echo "$client < $cpu_ours" | bc) )) && cpu_ours=$client
        ours=$(echo "$COUNT / ($end - $start)" | bc)
        redis-cli -p "$PORT" flushall >/dev/null
        before=$(server_cpu)
        start=$(now); /usr/bin/time -f '%U %S' -o "$work/cpu" sh -c "redis-cli -p $PORT --pipe < $resp" >/dev/null; end=$(now)
        server=$(echo "$(server_cpu) - $before" | bc); client=$(awk '{ print $1 + $2 }' "$work/cpu")
        (( $(echo "$server < $server_pipe" | bc) )) && server_pipe=$server
        (( $(echo "$client < $cpu_pipe" | bc) )) && cpu_pipe=$client
        pipe=$(echo "$COUNT / ($end - $start)" | bc)
        printf '%s, run %d: cachectl warmup %8d entries/s   redis-cli --pipe %8d entries/s   ratio %.2f\n' \
            "$name" "$run" "$ours" "$pipe" "$(echo "$ours / $pipe" | bc -l)" >&2
        [ "$ours" -gt "$best_ours" ] && best_ours=$ours
        [ "$pipe" -gt "$best_pipe" ] && best_pipe=$pipe
    done
    local ratio
    ratio=$(echo "$best_ours / $best_pipe" | bc -l)
    printf '| %s (best of %d) | %d/s (CPU client %.2f s + server %.2f s) | %d/s (CPU client %.2f s + server %.2f s) | %.2f× rate%s | ≥ %s× |\n' \
        "$name" "$RUNS" "$best_ours" "$cpu_ours" "$server_ours" "$best_pipe" "$cpu_pipe" "$server_pipe" \
        "$ratio" "$(verdict "$ratio" "$4")" "$4"
}

# snapshot_row COUNT MANIFEST: best of RUNS of `cachectl warmup` into a new snapshot file against
# Scripts/bench-snapshot-loader.py (Python's sqlite3, executemany, one transaction) loading the
# same rows into the same schema, alternating in the same run.
snapshot_row() {
    local count=$1 manifest=$2 best_ours=0 best_ref=0 run start end ours ref
    for run in $(seq "$RUNS"); do
        rm -f "$work"/bulk.snapshot*
        start=$(now); "$bin" warmup --url "file:$work/bulk.snapshot" --from "$manifest" -q >/dev/null; end=$(now)
        ours=$(echo "$count / ($end - $start)" | bc)
        rm -f "$work"/bulk.snapshot*
        start=$(now); python3 Scripts/bench-snapshot-loader.py "$manifest" "$work/bulk.snapshot"; end=$(now)
        ref=$(echo "$count / ($end - $start)" | bc)
        printf 'snapshot %d, run %d: cachectl warmup %8d entries/s   python sqlite3 loader %8d entries/s   ratio %.2f\n' \
            "$count" "$run" "$ours" "$ref" "$(echo "$ours / $ref" | bc -l)" >&2
        [ "$ours" -gt "$best_ours" ] && best_ours=$ours
        [ "$ref" -gt "$best_ref" ] && best_ref=$ref
    done
    rm -f "$work"/bulk.snapshot*
    local ratio
    ratio=$(echo "$best_ours / $best_ref" | bc -l)
    printf '| warmup %d entries → snapshot file vs Python sqlite3 executemany loader (best of %d) | %d/s | %d/s | %.2f× rate%s | ≥ 1.0× |\n' \
        "$count" "$RUNS" "$best_ours" "$best_ref" "$ratio" "$(verdict "$ratio" 1.0)"
}

python3 Scripts/generate-manifest.py "$COUNT" > "$work/manifest.jsonl"
python3 Scripts/generate-manifest.py "$COUNT" --resp > "$work/manifest.resp"
pipe_row "warmup $COUNT entries, shared tags → redis" "$work/manifest.jsonl" "$work/manifest.resp" 1.0
# The most common shape: each entry tagged with its own entity's tag plus one or two shared ones.
python3 Scripts/generate-manifest.py "$COUNT" --per-entity > "$work/entity.jsonl"
python3 Scripts/generate-manifest.py "$COUNT" --per-entity --resp > "$work/entity.resp"
pipe_row "warmup $COUNT entries, per-entity tags → redis" "$work/entity.jsonl" "$work/entity.resp" 0.9
rm -f "$work/entity.resp" "$work/manifest.resp"
snapshot_row "$COUNT" "$work/manifest.jsonl"

if [ "$BIG" -gt 0 ]; then
    python3 Scripts/generate-manifest.py "$BIG" > "$work/big.jsonl"
    snapshot_row "$BIG" "$work/big.jsonl"
    redis-cli -p "$PORT" flushall >/dev/null
    /usr/bin/time -v "$bin" warmup --url "$url" --from "$work/big.jsonl" -q 2> "$work/time.txt" >/dev/null
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")
    printf '| warmup %d entries → redis: peak RSS | %.0f MB | (wall %s) | - | < 50 MB |\n' "$BIG" "$(echo "$rss / 1024" | bc -l)" "$wall"
    rm -f "$work"/bulk.snapshot*
    /usr/bin/time -v "$bin" warmup --url "file:$work/bulk.snapshot" --from "$work/big.jsonl" -q 2> "$work/time.txt" >/dev/null
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
    printf '| warmup %d entries → snapshot file: peak RSS | %.0f MB | - | - | < 50 MB |\n' "$BIG" "$(echo "$rss / 1024" | bc -l)"
fi
