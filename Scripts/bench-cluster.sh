#!/usr/bin/env bash
# Cluster benchmarks, each against the same work on one server in the same run:
#   warmup of COUNT entries (~200 B, TTL, 2-3 tags) into a 3-primary cluster vs `redis-cli --pipe`
#   of the same data (SET EX + SADD) into one server; invalidate-tag of COUNT members spread over
#   the primaries vs the same on one server; flush --pattern over COUNT of 2×COUNT keys vs one
#   server; peak RSS of a BIG-entry warmup into the cluster.
#
#   Scripts/bench-cluster.sh          COUNT=100000 BIG=1000000 RUNS=3 Scripts/bench-cluster.sh
#
# This machine has 2 cores: the three primaries, their replicas and cachectl share them, so the
# cluster cannot run three times as fast as one server here; the rows say what one host allows.
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/lib/redis-servers.sh
source Scripts/lib/cluster-servers.sh
COUNT=${COUNT:-100000}
BIG=${BIG:-1000000}
RUNS=${RUNS:-3}
work=$(mktemp -d /tmp/cachectl-bench-cluster.XXXXXX)
trap 'stop_redis_servers; stop_cluster_servers; rm -rf "$work"' EXIT

swift build -c release >/dev/null
bin=$(swift build -c release --show-bin-path)/cachectl
start_redis_cluster "$work/cluster" 2>/dev/null
start_redis S "$work" 2>/dev/null
cluster="redis+cluster://$REDIS_CLUSTER_SEEDS"
single="redis://127.0.0.1:$REDIS_PORT_S"
flush_cluster() { for port in $REDIS_CLUSTER_PORTS; do redis-cli -p "$port" flushall >/dev/null 2>&1 || true; done; }

python3 Scripts/generate-manifest.py "$COUNT" > "$work/manifest.jsonl"
python3 Scripts/generate-manifest.py "$COUNT" --resp > "$work/manifest.resp"
now() { date +%s.%N; }
ratio() { echo "$1 / $2" | bc -l; }

# warmup: best rate of RUNS
best_ours=0; best_pipe=0
for run in $(seq "$RUNS"); do
    flush_cluster
    start=$(now); "$bin" warmup --url "$cluster" --from "$work/manifest.jsonl" -q >/dev/null; end=$(now)
    ours=$(echo "$COUNT / ($end - $start)" | bc)
    redis-cli -p "$REDIS_PORT_S" flushall >/dev/null
    start=$(now); redis-cli -p "$REDIS_PORT_S" --pipe < "$work/manifest.resp" >/dev/null; end=$(now)
    pipe=$(echo "$COUNT / ($end - $start)" | bc)
    printf 'run %d: warmup into the cluster %8d entries/s   redis-cli --pipe into one server %8d entries/s\n' "$run" "$ours" "$pipe" >&2
    [ "$ours" -gt "$best_ours" ] && best_ours=$ours
    [ "$pipe" -gt "$best_pipe" ] && best_pipe=$pipe
done
cluster_ratio=$(ratio "$best_ours" "$best_pipe")
printf '| warmup %d entries → 3-primary cluster vs redis-cli --pipe → one server (best of %d) | %d/s | %d/s | %.2f× rate%s | ≥ 1.0× |\n' \
    "$COUNT" "$RUNS" "$best_ours" "$best_pipe" "$cluster_ratio" "$( (( $(echo "$cluster_ratio < 1.0" | bc -l) )) && printf ' ✗')"

# invalidate-tag of COUNT members ("articles" tags every entry)
best_c=999; best_s=999
for run in $(seq "$RUNS"); do
    flush_cluster; "$bin" warmup --url "$cluster" --from "$work/manifest.jsonl" -q >/dev/null
    start=$(now); "$bin" invalidate-tag articles --url "$cluster" -q >/dev/null; end=$(now); c=$(echo "$end - $start" | bc)
    redis-cli -p "$REDIS_PORT_S" flushall >/dev/null; "$bin" warmup --url "$single" --from "$work/manifest.jsonl" -q >/dev/null
    start=$(now); "$bin" invalidate-tag articles --url "$single" -q >/dev/null; end=$(now); s=$(echo "$end - $start" | bc)
    (( $(echo "$c < $best_c" | bc) )) && best_c=$c
    (( $(echo "$s < $best_s" | bc) )) && best_s=$s
done
printf '| invalidate-tag of %d members: cluster vs one server (best of %d, whole process) | %.2f s | %.2f s | %.2f× time | report |\n' \
    "$COUNT" "$RUNS" "$best_c" "$best_s" "$(ratio "$best_c" "$best_s")"

# flush --pattern over COUNT of 2×COUNT keys
python3 - "$COUNT" > "$work/flush.resp" <<'PY'
import sys
count = int(sys.argv[1])
def resp(*parts):
    return b"".join([b"*%d\r\n" % len(parts)] + [b"$%d\r\n%s\r\n" % (len(p), p) for p in (x.encode() for x in parts)])
out = sys.stdout.buffer
for i in range(count):
    out.write(resp("SET", f"flush:{i}", "v"))
    out.write(resp("SET", f"keep:{i}", "v"))
PY
python3 - "$COUNT" > "$work/flush.jsonl" <<'PY'
import json, sys
for i in range(int(sys.argv[1])):
    print(json.dumps({"key": f"flush:{i}", "value": "v"})); print(json.dumps({"key": f"keep:{i}", "value": "v"}))
PY
best_c=999; best_s=999
for run in $(seq "$RUNS"); do
    flush_cluster; "$bin" warmup --url "$cluster" --from "$work/flush.jsonl" -q >/dev/null
    start=$(now); "$bin" flush --pattern 'flush:*' --yes --url "$cluster" -q >/dev/null; end=$(now); c=$(echo "$end - $start" | bc)
    redis-cli -p "$REDIS_PORT_S" flushall >/dev/null; redis-cli -p "$REDIS_PORT_S" --pipe < "$work/flush.resp" >/dev/null
    start=$(now); "$bin" flush --pattern 'flush:*' --yes --url "$single" -q >/dev/null; end=$(now); s=$(echo "$end - $start" | bc)
    (( $(echo "$c < $best_c" | bc) )) && best_c=$c
    (( $(echo "$s < $best_s" | bc) )) && best_s=$s
done
printf '| flush --pattern over %d of %d keys: cluster vs one server (best of %d, whole process) | %.2f s | %.2f s | %.2f× time | report |\n' \
    "$COUNT" "$((2 * COUNT))" "$RUNS" "$best_c" "$best_s" "$(ratio "$best_c" "$best_s")"

if [ "$BIG" -gt 0 ]; then
    python3 Scripts/generate-manifest.py "$BIG" > "$work/big.jsonl"
    flush_cluster
    /usr/bin/time -v "$bin" warmup --url "$cluster" --from "$work/big.jsonl" -q 2> "$work/time.txt" >/dev/null
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")
    printf '| warmup %d entries → cluster: peak RSS | %.0f MB | (wall %s) | - | < 50 MB |\n' "$BIG" "$(echo "$rss / 1024" | bc -l)" "$wall"
fi
