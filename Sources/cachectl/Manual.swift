/// The long text of `cachectl --help` and the man page: backends, environment, exit codes, formats.
enum Manual {
    static let discussion = """
        BACKENDS
          redis://[user[:password]@]host[:port][/db]  one Redis server (db 0 by default; ?db=N also works)
          rediss://[user[:password]@]host[:port][/db] the same over TLS, verified (see TLS)
          unix:///path/to/redis.sock[?db=N]           one Redis server on a unix socket
          file:PATH or a bare path                    the snapshot file (no server needed)
          redis+cluster://host:port[,host:port…]      a Redis Cluster (seed nodes; slots discovered, keys \
        routed to their primary, MOVED/ASK/failovers followed within --timeout)
          redis+sentinel://host:port[,…]/name[/db]    the primary Sentinel names, asked again on failover
          dummy:                                      accepts writes, stores nothing, every read misses
          rediss+cluster://…                          the same cluster over TLS. A bare word \
        that names a scheme without its colon (dummy, redis) and a path with @ or // (a URL that lost \
        its colon) are refused with exit 64 unless such a file exists.

        The backend is chosen by, first match wins: --url; CACHECTL_URL; the url of the profile \
        selected by --profile or CACHECTL_PROFILE; CACHE_BACKEND=redis (or \
        CACHE_BACKEND unset while REDIS_URL or REDIS_HOST is set) with REDIS_URL, or \
        REDIS_HOST/REDIS_PORT/REDIS_DB/REDIS_PASSWORD; CACHE_BACKEND=locmem|memory|file with \
        CACHECTL_SNAPSHOT; CACHE_BACKEND=dummy; otherwise the snapshot file at $CACHECTL_SNAPSHOT or \
        ./.cachectl/cache.snapshot. CACHE_DEFAULT_TIMEOUT (seconds, default 300) is the TTL when none \
        is given; an invalid value fails only the commands that would write with it (set, warmup, \
        migrate). Keep passwords off the command line: the password is, first match wins, the first \
        line of --password-file (without the line ending, \\n or \\r\\n), the URL's, REDIS_PASSWORD, \
        REDISCLI_AUTH, the profile's password_file; --user NAME (or user@ in the URL) names an ACL \
        user. URLs are always printed with the password replaced by ***, malformed ones too; a \
        refused login names the user, never the password.

        TLS
          rediss:// verifies the server by default: its certificate must chain to the system trust \
        store (or --cacert FILE / --cacertdir DIR) and name the URL's host or IP address (or --sni \
        NAME, which is also sent as SNI); TLS 1.2 at least. --cert FILE --key FILE present a client \
        certificate. --insecure skips verification and says so on stderr every time. \
        CACHECTL_CACERT, CACHECTL_CERT and CACHECTL_KEY stand for --cacert, --cert and --key. A \
        refused certificate (unknown CA, expired, wrong host, client certificate demanded or \
        refused) exits 77; an unusable certificate file 74 (unreadable) or 64.

        PROFILES
          A TOML file (--config FILE, CACHECTL_CONFIG, $XDG_CONFIG_HOME/cachectl/config.toml, else \
        ~/.config/cachectl/config.toml) holds [profiles.NAME] tables with the keys url, cacert, \
        cacertdir, cert, key, sni, user, password_file, key_prefix, tag_prefix, stats_key, timeout \
        (and layout). --profile NAME or CACHECTL_PROFILE selects one. Precedence: flags, then \
        environment variables, then the profile, then defaults. cachectl profiles lists them.

        REDIS LAYOUT
          entry        a string at <key-prefix><key>, expiry = TTL
          tag index    a set at <tag-prefix><tag> (default cache:tag:) of full entry keys; it lives \
        at least as long as its longest-living member
          counters     a hash at cache:stats with hits, misses, sets, deletes, tag_invalidations

        OUTPUT
          --format table (default) is for people: keys, tag names and messages show control and \
        invisible characters escaped (\\n, \\u{1B}, \\u{FEFF}), and columns are aligned by display \
        width. --format json prints one object with "schema": 1 and snake_case fields, keys exactly \
        as stored; durations are seconds, sizes bytes, TTLs seconds (null = no expiry). In JSON mode \
        an error is a JSON object on stderr: {"error": {"code": 69, "message": "..."}}.

        SNAPSHOT FILE FORMAT (version 2)
          The snapshot file is an SQLite 3 database in WAL mode; any SQLite library can read it. \
        PATH-wal and PATH-shm stay beside it: the latest writes live in PATH-wal until SQLite's \
        automatic checkpoint moves them into PATH, so copy all three files, or use sqlite3's \
        .backup command, to take a copy. PRAGMA application_id is \
        1667326824 (0x63616368, "cach"); PRAGMA user_version is the format version, 2 (a higher \
        version is refused). A version 1 file is read as it is and brought to version 2 by the \
        first command that writes to it, in that command's transaction (the value_id column and \
        the large_values table are added; no row is rewritten). Tables:
          meta(name TEXT PRIMARY KEY, value TEXT NOT NULL)
              rows format=cachectl-snapshot, version=2, created_at
          entries(key TEXT PRIMARY KEY, value BLOB NOT NULL, expires_at INTEGER, value_id INTEGER)
              key = key prefix + entry key; value = the bytes, or empty when value_id is set;
              expires_at = unix time in ms, NULL = never (past = absent)
          large_values(id INTEGER PRIMARY KEY, value BLOB NOT NULL)
              values of 64 KiB and more, written and read in pieces (incremental blob I/O);
              each row belongs to the entry whose value_id names it and goes with it
          tags(tag TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (tag, key))
              tag name -> full key of a member entry
          counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL)
              hits, misses, sets, deletes, tag_invalidations
          Writers change the file only in BEGIN IMMEDIATE transactions: concurrent processes queue \
        for the lock (a waiting writer tries again every millisecond), and a process killed at any \
        instant leaves the old or the new state. warmup commits up to 16 batches (8 MiB of values, \
        250 ms) per transaction and counts an entry as written only once committed. A file \
        that is not such a database (or is damaged) is refused with exit 65 and never modified: \
        nothing is checkpointed into it and its -wal stays as it was. What is checked: on every \
        open the header, the identity pragmas, the meta row and that each table has the format's \
        columns; on every page a command reads, SQLite's b-tree page checks with PRAGMA \
        cell_size_check=ON (page type, cell pointers and sizes, free blocks, overflow pointers). \
        Value bytes carry no checksum, and pages a command does not read are not examined: run \
        cachectl check for SQLite's full integrity check. A command that only reads, deletes or \
        invalidates refuses a path with no file (exit 74); set, warmup and migrate --to create \
        it, in an existing directory only (./.cachectl/ is made on demand).

        JSON LINES TYPES
          Besides string entries ({"key", "value" or "value_base64", "ttl", "tags"}), migrate's \
        jsonl: endpoint carries the other Redis types, so Redis -> JSON Lines -> Redis is lossless:
          {"key": "s", "type": "set", "members": ["a", "b"], "ttl": 60, "tags": ["t"]}
          {"key": "l", "type": "list", "items": ["x", "y", "x"], "ttl": null}
          {"key": "h", "type": "hash", "fields": {"f": "v"}}
          {"key": "z", "type": "zset", "members": [["m", 1.5], ["n", "inf"]]}
          {"key": "x", "type": "stream", "dump_base64": "..."}
          Any type may travel as dump_base64 (a Redis DUMP payload); migrate uses it for streams \
        and for elements that are not UTF-8. warmup reads string entries only.

        NUMBERS
          A TTL or duration (--ttl, --max-duration, stats --window/--watch, a manifest's ttl, \
        CACHE_DEFAULT_TIMEOUT) is digits with an optional fraction and unit ms, s, m, h or d, at \
        most 100 years (36500d); no sign, exponent or hex. --timeout is at most 86400 seconds. \
        JSON numbers follow RFC 8259 exactly (01, 1.e5, +1 are refused). Out of range: exit 64 for \
        an option, 65 with FILE:LINE for a manifest.

        EXIT STATUS
          0   success
          1   an assertion failed, a key was missing or of another type (get), some items failed, migrate could not copy a type in scope, or check found tag index problems
          64  usage error (bad option, unknown URL scheme, missing scope, empty key, no such database on the server)
          65  bad input (malformed manifest, damaged/foreign snapshot, migrate conflict, key of another type, check found the snapshot damaged)
          69  backend unreachable, or unable to serve: a read-only replica (READONLY), out of memory (OOM), a command the server lacks, any other Redis error reply
          74  local file I/O error (permissions, disk full, no snapshot file at the path)
          75  temporary, try again: lock held, set --if-absent on an existing key, LOADING/BUSY/TRYAGAIN/MASTERDOWN, a server restart during warmup
          77  refused trust or identity (authentication, TLS verification, client certificate), or a missing ACL permission (NOPERM: the command and its ACL category are named)
          130  interrupted by SIGINT: warmup, migrate, invalidate-tag, flush, keys and usage stop at a batch boundary and print their report first; a second signal stops at once
          143  interrupted by SIGTERM, the same way
        A Redis error reply never exits 1.
        """
}
