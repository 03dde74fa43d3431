#!/usr/bin/env bash
# Warmup benchmark: 100,000 entries (~200 bytes, TTL, 2-3 tags) loaded by `cachectl warmup --from`
# and, in the same run, the equivalent SET EX + SADD protocol by `redis-cli --pipe` (FLUSHALL
# between); 1,000,000 entries into the snapshot file; peak RSS at 1,000,000 entries into Redis.
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

swift build -c release >/dev/null
bin=$(swift build -c release --show-bin-path)/cachectl
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$work/redis.pid" --logfile "$work/redis.log" --dir "$work"
for _ in $(seq 50); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
url="redis://127.0.0.1:$PORT"

python3 Scripts/generate-manifest.py "$COUNT" > "$work/manifest.jsonl"
python3 Scripts/generate-manifest.py "$COUNT" --resp > "$work/manifest.resp"

now() { date +%s.%N; }
best_ours=0; best_pipe=0
for run in $(seq "$RUNS"); do
    redis-cli -p "$PORT" flushall >/dev/null
    start=$(now); "$bin" warmup --url "$url" --from "$work/manifest.jsonl" -q >/dev/null; end=$(now)
    ours=$(echo "$COUNT / ($end - $start)" | bc)
    redis-cli -p "$PORT" flushall >/dev/null
    start=$(now); redis-cli -p "$PORT" --pipe < "$work/manifest.resp" >/dev/null; end=$(now)
    pipe=$(echo "$COUNT / ($end - $start)" | bc)
    printf 'run %d: cachectl warmup %8d entries/s   redis-cli --pipe %8d entries/s   ratio %.2f\n' \
        "$run" "$ours" "$pipe" "$(echo "$ours / $pipe" | bc -l)" >&2
    [ "$ours" -gt "$best_ours" ] && best_ours=$ours
    [ "$pipe" -gt "$best_pipe" ] && best_pipe=$pipe
done
printf '| warmup %d entries → redis (best of %d) | %d/s | %d/s | %.2f× rate | ≥ 0.9× |\n' \
    "$COUNT" "$RUNS" "$best_ours" "$best_pipe" "$(echo "$best_ours / $best_pipe" | bc -l)"

if [ "$BIG" -gt 0 ]; then
    python3 Scripts/generate-manifest.py "$BIG" > "$work/big.jsonl"
    start=$(now); "$bin" warmup --url "file:$work/big.snapshot" --from "$work/big.jsonl" -q >/dev/null; end=$(now)
    printf '| warmup %d entries → snapshot file | %d/s (%.1f s) | - | - | report |\n' "$BIG" "$(echo "$BIG / ($end - $start)" | bc)" "$(echo "$end - $start" | bc)"
    redis-cli -p "$PORT" flushall >/dev/null
    /usr/bin/time -v "$bin" warmup --url "$url" --from "$work/big.jsonl" -q 2> "$work/time.txt" >/dev/null
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")
    printf '| warmup %d entries → redis: peak RSS | %.0f MB | (wall %s) | - | < 50 MB |\n' "$BIG" "$(echo "$rss / 1024" | bc -l)" "$wall"
fi
