import Foundation

/// The TLS servers, certificates and HTTPS file server that `Scripts/lib/tls-servers.sh` starts
/// for `make test` (see the comment at its top for what each certificate is).
enum TLSServers {
    /// The directory holding ca.crt, client.crt/key, foreign-ca.crt, … (`CACHECTL_TEST_TLS_DIR`).
    static var directory: String { get throws { try value(of: "CACHECTL_TEST_TLS_DIR") } }
    /// `rediss://localhost:PORT` of a server with a certificate for localhost and 127.0.0.1.
    static var url: String { get throws { try value(of: "CACHECTL_TEST_TLS_URL") } }
    /// The plain-TCP port of that same server.
    static var plainPort: String { get throws { try value(of: "CACHECTL_TEST_TLS_PLAIN_PORT") } }
    /// A server that demands a client certificate (`tls-auth-clients yes`).
    static var mutualURL: String { get throws { try value(of: "CACHECTL_TEST_TLS_MTLS_URL") } }
    /// A server whose certificate names other.example only.
    static var otherHostURL: String { get throws { try value(of: "CACHECTL_TEST_TLS_OTHERHOST_URL") } }
    /// A server whose certificate expired in 2020.
    static var expiredURL: String { get throws { try value(of: "CACHECTL_TEST_TLS_EXPIRED_URL") } }
    /// An ACL user of the `url` server and its password.
    static var aclUser: String { get throws { try value(of: "CACHECTL_TEST_TLS_ACL_USER") } }
    static var aclPassword: String { get throws { try value(of: "CACHECTL_TEST_TLS_ACL_PASSWORD") } }
    /// `https://localhost:PORT` of a file server over `directory`/www.
    static var httpsURL: String { get throws { try value(of: "CACHECTL_TEST_HTTPS_URL") } }

    /// A file of the certificate directory.
    static func file(_ name: String) throws -> String { try directory + "/" + name }

    /// The options that verify the test servers.
    static var trust: [String] { get throws { ["--cacert", try file("ca.crt")] } }

    private static func value(of name: String) throws -> String {
        if let value = ProcessInfo.processInfo.environment[name], !value.isEmpty { return value }
        throw MissingTestServer("\(name) is not set: run make test (Scripts/test.sh starts the TLS servers, see Scripts/lib/tls-servers.sh)")
    }
}
