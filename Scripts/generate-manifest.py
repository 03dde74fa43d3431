#!/usr/bin/env python3
"""Writes a deterministic warmup manifest: N article entries of about 200 bytes, each with a
TTL and 2-3 tags, as JSON Lines (default) or, with --resp, the equivalent Redis protocol
(SET EX + SADD per tag, as the seed applications write it) for `redis-cli --pipe`.

    Scripts/generate-manifest.py 3000 > Scripts/demo/articles.jsonl
    Scripts/generate-manifest.py 100000 --resp | redis-cli --pipe
    Scripts/generate-manifest.py 100000 --per-entity   # each entry also tagged with its own tag
"""
import json
import sys


def entries(count, per_entity=False):
    for i in range(1, count + 1):
        category = ["news", "sports", "tech", "culture", "science"][i % 5]
        tags = ["articles", f"category:{category}"]
        if per_entity:
            # The entity's own tag plus one or two shared ones (Symfony's and Laravel's usual shape).
            tags = [f"article:{i}", "articles"] + ([f"category:{category}"] if i % 2 == 0 else [])
        elif i % 3 == 0:
            tags.append(f"author:{i % 97}")
        body = f"Article {i} in {category}. " + "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 2
        value = json.dumps({"id": i, "title": f"Article {i}", "body": body[:130]}, separators=(",", ":"))
        yield f"article:{i}", value, 3600 + (i % 600), tags


def resp(*parts):
    out = [f"*{len(parts)}\r\n".encode()]
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


def main():
    numbers = [argument for argument in sys.argv[1:] if not argument.startswith("--")]
    count = int(numbers[0]) if numbers else 3000
    per_entity = "--per-entity" in sys.argv
    out = sys.stdout.buffer
    if "--resp" in sys.argv:
        for key, value, ttl, tags in entries(count, per_entity):
            out.write(resp("SET", key, value, "EX", str(ttl)))
            for tag in tags:
                out.write(resp("SADD", "cache:tag:" + tag, key))
        out.write(resp("HINCRBY", "cache:stats", "sets", str(count)))
    else:
        for key, value, ttl, tags in entries(count, per_entity):
            out.write((json.dumps({"key": key, "value": value, "ttl": ttl, "tags": tags}, separators=(",", ":")) + "\n").encode())


if __name__ == "__main__":
    main()
