#!/usr/bin/env bash
# The main job on the snapshot file, no server needed: warm the cache from the sample manifest
# Scripts/demo/articles.jsonl (3,000 articles with TTLs and tags, made by
# Scripts/generate-manifest.py 3000), then a few writes, a read, an application's reads
# through CacheClient (Examples/ReadThrough: 500 article reads, rendering and storing the pages it
# misses), and the stats with the hit rate those reads made.
#
#   Scripts/demo.sh            uses the release binaries (make demo builds them first)
#   CACHECTL_BIN=… [CACHECTL_READ_THROUGH=…] Scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${CACHECTL_BIN:-"$(swift build -c release --static-swift-stdlib --show-bin-path)/cachectl"}
app=${CACHECTL_READ_THROUGH:-"$(dirname "$bin")/cachectl-read-through"}
for program in "$bin" "$app"; do
    if [[ ! -x $program ]]; then
        echo "demo.sh: $program not found: run make release (or make demo)" >&2
        exit 1
    fi
done

# The default snapshot file (./.cachectl/cache.snapshot), as a user gets it with no
# configuration at all: the variables that would point cachectl elsewhere are cleared.
unset CACHECTL_URL CACHECTL_SNAPSHOT CACHE_BACKEND REDIS_URL REDIS_HOST REDIS_PORT REDIS_DB REDIS_PASSWORD
snapshot=.cachectl/cache.snapshot
# Start from an empty cache so the demo always shows the same thing.
rm -f "$snapshot" "$snapshot-wal" "$snapshot-shm"

cachectl() {
    { printf "\n$ cachectl"; printf " %q" "$@"; echo; } >&2
    "$bin" "$@"
}

cachectl warmup --from Scripts/demo/articles.jsonl --tag demo --lock-file .cachectl/warmup.lock
cachectl warmup --from Scripts/demo/articles.jsonl --only-missing    # a second run writes nothing
cachectl set homepage '<h1>Hello, world</h1>' --ttl 1h --tag pages
cachectl get article:1
cachectl tags --pattern 'category:*'
cachectl invalidate-tag category:news
# An application reading through CacheClient's Cache: each read counts a hit or a miss.
{ printf '\n$ %s\n' "cachectl-read-through --reads 500"; } >&2
"$app" --reads 500
cachectl stats
