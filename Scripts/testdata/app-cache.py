#!/usr/bin/env python3
"""Writes a cache the way an application does, with redis-py, and prints what it wrote as JSON.

    app-cache.py URL mixed     namespaces of every Redis type, TTLs and none, tagged entries
                               (seed layout: SADD cache:tag:<tag> + EXPIRE), big keys, the
                               counters hash, a key with control characters
    app-cache.py URL uniform   20,000 strings in four namespaces of known sizes (for sampling)

The database in URL is flushed first. The JSON printed on stdout holds, per group (prefix at
depth 1, type, tag), the keys, the keys without TTL, MEMORY USAGE summed as redis-py reads it,
and the value bytes of string entries (what the snapshot file counts).
"""
import json
import random
import sys
from collections import defaultdict

import redis

url, mode = sys.argv[1], sys.argv[2]
r = redis.Redis.from_url(url)
r.flushdb()
rng = random.Random(13)
tag_prefix = "cache:tag:"


def text(size):
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(size))


def cache_set(pipe, key, value, ttl=None, tags=()):
    """The seed applications' cache.set: SET with EX, then SADD per tag with the tag's lifetime."""
    pipe.set(key, value, ex=ttl)
    for tag in tags:
        pipe.sadd(tag_prefix + tag, key)
        if ttl is not None:
            pipe.expire(tag_prefix + tag, 86400)


if mode == "mixed":
    p = r.pipeline(transaction=False)
    for i in range(300):
        cache_set(p, f"session:{i:04d}", text(100), ttl=rng.randint(600, 3600))
    for i in range(200):
        cache_set(p, f"user:{i}:profile", json.dumps({"id": i, "bio": text(980)}))
    for i in range(100):
        p.hset(f"user:{i}:settings", mapping={"theme": "dark", "lang": "en", "tz": "UTC", "n": str(i)})
        p.expire(f"user:{i}:settings", 7200)
    for i in range(150):
        tags = ["articles"] + (["featured"] if i < 10 else [])
        cache_set(p, f"article:{i}", text(2000), ttl=86400, tags=tags)
    for i in range(10):
        p.rpush(f"queue:{i}", *[text(20) for _ in range(100)])
    p.sadd("online", *[f"user:{i}" for i in range(500)])
    p.expire("online", 60)
    p.zadd("leaderboard", {f"player:{i}": i for i in range(1000)})
    p.set("big:report", b"\x00\xff" * (512 * 1024), ex=3600)
    p.rpush("big:list", *[text(20) for _ in range(10000)])
    p.xadd("events", {"type": "boot"})
    for _ in range(99):
        p.xadd("events", {"type": "click", "x": text(10)})
    p.set("weird:\x1b[31mred\x07", "x", ex=600)
    p.hincrby("cache:stats", "hits", 40)
    p.hincrby("cache:stats", "misses", 2)
    p.execute()
elif mode == "uniform":
    p = r.pipeline(transaction=False)
    for name, count, size in [("a", 8000, 100), ("b", 6000, 300), ("c", 4000, 600), ("d", 2000, 1200)]:
        for i in range(count):
            p.set(f"{name}:{i}", text(size), ex=3600 if i % 2 else None)
        p.execute()
else:
    sys.exit(f"unknown mode {mode}")

# What was written, measured through redis-py.
groups = {"prefix": defaultdict(lambda: defaultdict(int)), "type": defaultdict(lambda: defaultdict(int)),
          "tag": defaultdict(lambda: defaultdict(int))}
tags_of = defaultdict(list)
for tag_key in r.scan_iter(match=tag_prefix + "*", count=1000):
    for member in r.smembers(tag_key):
        tags_of[member].append(tag_key[len(tag_prefix):].decode())
keys = list(r.scan_iter(count=1000))
p = r.pipeline(transaction=False)
for key in keys:
    p.type(key)
    p.pttl(key)
    p.memory_usage(key)
    p.strlen(key)
replies = p.execute(raise_on_error=False)
for index, key in enumerate(keys):
    kind, pttl, memory, strlen = replies[4 * index:4 * index + 4]
    kind = kind.decode()
    name = key.decode(errors="replace")
    role = "counters" if name == "cache:stats" else ("tag_set" if name.startswith(tag_prefix) else "entry")
    prefix = name.split(":", 1)[0] if ":" in name else "(no prefix)"
    if role == "entry":
        tag_groups = tags_of.get(key) or ["(no tag)"]
    else:
        tag_groups = ["(tag sets)" if role == "tag_set" else "(counters)"]
    for dimension, names in (("prefix", [prefix]), ("type", [kind]), ("tag", tag_groups)):
        for group in names:
            g = groups[dimension][group]
            g["keys"] += 1
            g["memory"] += memory
            g["no_ttl_keys"] += 1 if pttl == -1 and role != "counters" else 0
            if kind == "string" and role == "entry":
                g["string_keys"] += 1
                g["value_bytes"] += strlen
print(json.dumps({"dbsize": r.dbsize(), "groups": groups}, indent=1, sort_keys=True))
