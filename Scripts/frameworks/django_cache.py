"""Django's own RedisCache writing and reading a cache, for cachectl's layout tests.

    django_cache.py write URL KEY_PREFIX VERSION MANIFEST   cache.set() every entry of a JSON Lines manifest
    django_cache.py read  URL KEY_PREFIX VERSION MANIFEST   cache.get() every entry: one JSON line each,
                                                            {"key", "hit", "equal", "value", "type"}

"equal" compares the value read with the manifest's value strictly: same types all the way
down (a string that looks like a number stays a string), as the application would see it.
"""
import json
import sys

import django
from django.conf import settings


def configure(url, prefix, version):
    settings.configure(CACHES={"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": prefix,
        "VERSION": int(version),
    }})
    django.setup()
    from django.core.cache import cache
    return cache


def same(a, b):
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return a == b


def manifest(path):
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def main(command, url, prefix, version, path):
    cache = configure(url, prefix, version)
    entries = manifest(path)
    if command == "write":
        for entry in entries:
            cache.set(entry["key"], entry["value"], timeout=entry.get("ttl", 300))
        return
    missing = object()
    for entry in entries:
        value = cache.get(entry["key"], missing)
        hit = value is not missing
        shown = value if hit and isinstance(value, (str, int, float, bool, list, dict, type(None))) else None
        print(json.dumps({"key": entry["key"], "hit": hit, "equal": hit and same(value, entry["value"]),
                          "value": shown, "type": type(value).__name__ if hit else None}))


if __name__ == "__main__":
    main(*sys.argv[1:])
