# Framework layout benchmarks, sourced by Scripts/bench.sh (which defines bench_row and migrate_row):
#
#   get of a decoded Django pickle / Symfony envelope, whole process, against the same get --raw (≤ 1.1×)
#   warmup of N entries in each framework layout, against the default layout's rate (≥ 0.8×)

fill_layout_manifests() {
    python3 - "$1" "$2" "$3" <<'PY'
import json, sys
count, tagged, plain = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(tagged, "w") as t, open(plain, "w") as p:
    for i in range(count):
        value = {"id": i, "title": f"Article {i}", "tags": ["a", "b"], "score": i / 7, "body": "x" * 120}
        line = {"key": f"bench.l.{i}", "value": value, "ttl": 3600}
        p.write(json.dumps(line, separators=(",", ":")) + "\n")
        line["tags"] = [f"group{i % 100}"]
        t.write(json.dumps(line, separators=(",", ":")) + "\n")
PY
}

bench_layouts() {
    local bin=$1 port=$2 dir=$3 url="redis://127.0.0.1:$2" count=${BENCH_LAYOUT_ENTRIES:-100000}
    mkdir -p "$dir"
    local profile='{"name":"Ada Lovelace","langs":["en","fr"],"age":36,"address":{"city":"London","zip":null},"notes":"'"$(printf 'x%.0s' $(seq 200))"'"}'
    "$bin" --url "$url/2" --layout django set bench:profile "$profile" --json --ttl none -q
    "$bin" --url "$url/2" --layout symfony --namespace app set bench.profile "$profile" --json --tag users --ttl none -q
    bench_row "get decoded django value vs --raw" "$bin --url $url/2 --layout django get bench:profile" \
        "$bin --url $url/2 --layout django get bench:profile --raw" 1.1
    bench_row "get decoded symfony value vs --raw" "$bin --url $url/2 --layout symfony --namespace app get bench.profile" \
        "$bin --url $url/2 --layout symfony --namespace app get bench.profile --raw" 1.1

    fill_layout_manifests "$count" "$dir/tagged.jsonl" "$dir/plain.jsonl"
    local layout
    for layout in symfony symfony-5.4 laravel laravel-10 laravel-8; do
        migrate_row "warmup $count tagged, $layout vs default" "redis-cli -p $port -n 3 FLUSHDB" \
            "$bin warmup --from $dir/tagged.jsonl --url $url/3 --layout $layout --namespace app -q" \
            "$bin warmup --from $dir/tagged.jsonl --url $url/3 -q" 0.8 "$count"
    done
    migrate_row "warmup $count, django vs default" "redis-cli -p $port -n 3 FLUSHDB" \
        "$bin warmup --from $dir/plain.jsonl --url $url/3 --layout django -q" \
        "$bin warmup --from $dir/plain.jsonl --url $url/3 -q" 0.8 "$count"
    redis-cli -p "$port" -n 3 FLUSHDB >/dev/null
}
