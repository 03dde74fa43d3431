import Foundation

/// The private redis-servers that `Scripts/test.sh` (`make test`) starts for these suites.
///
/// Integration suites never skip silently: a missing variable fails the test with a message
/// saying how to provide it.
enum TestEnvironment {
    /// `redis://127.0.0.1:PORT` of a server without a password (`CACHECTL_TEST_REDIS_URL`).
    static var redisURL: String { get throws { try value(of: "CACHECTL_TEST_REDIS_URL") } }

    /// Unix socket path of that same server (`CACHECTL_TEST_REDIS_SOCKET`).
    static var redisSocket: String { get throws { try value(of: "CACHECTL_TEST_REDIS_SOCKET") } }

    /// `redis://127.0.0.1:PORT` of a server that requires a password; the URL holds none
    /// (`CACHECTL_TEST_REDIS_AUTH_URL`).
    static var redisAuthURL: String { get throws { try value(of: "CACHECTL_TEST_REDIS_AUTH_URL") } }

    /// The password of the `redisAuthURL` server (`CACHECTL_TEST_REDIS_PASSWORD`).
    static var redisPassword: String { get throws { try value(of: "CACHECTL_TEST_REDIS_PASSWORD") } }

    /// `redis+cluster://…` seeds of a 3-primary, 3-replica cluster (`CACHECTL_TEST_CLUSTER_URL`).
    static var clusterURL: String { get throws { try value(of: "CACHECTL_TEST_CLUSTER_URL") } }

    /// The directory of the cluster's nodes, holding `node-PORT.conf` to restart a stopped node
    /// (`CACHECTL_TEST_CLUSTER_DIR`).
    static var clusterDirectory: String { get throws { try value(of: "CACHECTL_TEST_CLUSTER_DIR") } }

    /// `redis+sentinel://127.0.0.1:PORT/cachectl` of a sentinel watching a primary and a replica
    /// (`CACHECTL_TEST_SENTINEL_URL`).
    static var sentinelURL: String { get throws { try value(of: "CACHECTL_TEST_SENTINEL_URL") } }

    /// The Python of the private venv holding Django (`CACHECTL_TEST_DJANGO_PYTHON`, set up by
    /// Scripts/lib/framework-env.sh).
    static var djangoPython: String { get throws { try value(of: "CACHECTL_TEST_DJANGO_PYTHON") } }

    /// The PHP that runs Symfony Cache and Laravel's cache (`CACHECTL_TEST_PHP`).
    static var php: String { get throws { try value(of: "CACHECTL_TEST_PHP") } }

    /// Servers that refuse, started by Scripts/lib/fault-servers.sh: `OOM` (maxmemory 3mb,
    /// noeviction), `NOEVAL` (EVAL/EVALSHA renamed away), `REPLICA` (read-only), `NOSCRIPT_USER`
    /// (an ACL user without @scripting on the main server), `LOADING` (a fake server answering LOADING).
    static func faultServerURL(_ name: String) throws -> String { try value(of: "CACHECTL_TEST_REDIS_\(name)_URL") }

    private static func value(of name: String) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let value = environment[name], !value.isEmpty { return value }
        if environment["CACHECTL_REQUIRE_INTEGRATION"] == "1" {
            throw MissingTestServer(
                "\(name) is not set although CACHECTL_REQUIRE_INTEGRATION=1: "
                    + "the script running the tests must start redis-server and export it (see Scripts/test.sh)")
        }
        throw MissingTestServer(
            "\(name) is not set: run make test (it starts redis-server) or set CACHECTL_TEST_REDIS_URL, "
                + "CACHECTL_TEST_REDIS_SOCKET, CACHECTL_TEST_REDIS_AUTH_URL, CACHECTL_TEST_REDIS_PASSWORD, "
                + "CACHECTL_TEST_CLUSTER_URL, CACHECTL_TEST_CLUSTER_DIR and CACHECTL_TEST_SENTINEL_URL "
                + "(Scripts/lib/cluster-servers.sh starts the cluster and the sentinel)")
    }
}

/// Thrown, and so recorded as the test's failure, when a test server is not configured.
struct MissingTestServer: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
