#!/usr/bin/env python3
"""The reference for the snapshot bulk path in `make bench`: a minimal loader that puts the rows
of a JSON Lines manifest (the entry format: key, string value, ttl, tags) into a new file with
the snapshot schema (man cachectl, FILES) in one transaction, with `executemany`. It does none of
cachectl's checks (no validation pass, no expiry purge, no counters), so matching it is the goal.

    Scripts/bench-snapshot-loader.py MANIFEST.jsonl OUT.snapshot
"""
import json
import sqlite3
import sys
import time

SCHEMA = """
PRAGMA application_id = 1667326824;
PRAGMA user_version = 1;
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE entries(key TEXT PRIMARY KEY, value BLOB NOT NULL, expires_at INTEGER) WITHOUT ROWID;
CREATE INDEX entries_by_expiry ON entries(expires_at);
CREATE TABLE tags(tag TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (tag, key)) WITHOUT ROWID;
CREATE INDEX tags_by_key ON tags(key, tag);
CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
"""


def main():
    manifest, path = sys.argv[1], sys.argv[2]
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(SCHEMA)
    now = int(time.time() * 1000)
    memberships = []

    def rows():
        with open(manifest, "rb") as lines:
            for line in lines:
                entry = json.loads(line)
                key = entry["key"]
                for tag in entry.get("tags") or ():
                    memberships.append((tag, key))
                ttl = entry.get("ttl")
                yield key, entry["value"].encode(), None if ttl is None else now + ttl * 1000

    db.execute("BEGIN")
    db.executemany("INSERT INTO meta VALUES (?, ?)", [("format", "cachectl-snapshot"), ("version", "1")])
    db.executemany("INSERT INTO entries VALUES (?, ?, ?)", rows())
    db.executemany("INSERT INTO tags VALUES (?, ?)", memberships)
    db.execute("COMMIT")
    db.close()


if __name__ == "__main__":
    main()
