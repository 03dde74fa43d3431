#!/usr/bin/env bash
# The main job on the snapshot file, no server needed: a few writes, a read, the stats.
# (Later: a warmup from a sample manifest.)
#
#   Scripts/demo.sh            uses the release binary (make demo builds it first)
#   CACHECTL_BIN=… Scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${CACHECTL_BIN:-"$(swift build -c release --static-swift-stdlib --show-bin-path)/cachectl"}
if [[ ! -x $bin ]]; then
    echo "demo.sh: $bin not found: run make release (or make demo)" >&2
    exit 1
fi

# A fresh snapshot every run, so the demo always shows the same thing.
snapshot=.cachectl/demo.snapshot
mkdir -p .cachectl
rm -f "$snapshot" "$snapshot-wal" "$snapshot-shm"

cachectl() {
    { printf "$ cachectl"; printf " %q" "$@"; echo; } >&2
    "$bin" --url "file:$snapshot" "$@"
}

cachectl set article:1 '{"title":"Hello"}' --ttl 5m --tag articles --tag article:1
cachectl set article:2 '{"title":"World"}' --ttl 5m --tag articles --tag article:2
cachectl set homepage '<h1>Hello, world</h1>' --ttl 1h --tag pages
cachectl get article:1
cachectl stats
