import CacheClient
import cachectlTests
import Foundation
import Testing

/// The built binary over TLS: every command once, and every refused trust or identity with its
/// exit code and one line that names it.
@Suite(.serialized) struct TLSTests {
    struct Output {
        let stdout: String
        let stderr: String
        let status: Int32
        var all: String { stdout + stderr }
    }

    func run(_ args: [String], environment: [String: String] = [:], stdin: Data? = nil) throws -> Output {
        let result = try CLI.run(args, stdin: stdin, environment: environment)
        return Output(stdout: String(decoding: result.stdout, as: UTF8.self), stderr: String(decoding: result.stderr, as: UTF8.self),
                      status: result.status)
    }

    /// A private key prefix on the TLS server, removed afterwards.
    func withNamespace(_ body: ([String]) throws -> Void) throws {
        let prefix = "t-\(UUID().uuidString.lowercased()):"
        let options = ["--url", try TLSServers.url] + (try TLSServers.trust)
            + ["--key-prefix", prefix, "--tag-prefix", prefix + "tag:", "--stats-key", prefix + "stats"]
        defer { _ = try? run(["flush", "--pattern", "*", "--yes", "-q"] + options.dropLast(4) + ["--key-prefix", prefix]) }
        try body(options)
    }

    @Test func everyCommandRunsOverTLS() throws {
        try withNamespace { tls in
            let ping = try run(["ping"] + tls)
            #expect(ping.status == 0, "\(ping.stderr)")
            #expect(ping.stdout.contains("PONG rediss://localhost:"), "\(ping.stdout)")

            #expect(try run(["set", "a", "1", "--tag", "t", "--ttl", "1h"] + tls).status == 0)
            #expect(try run(["set", "b", "2", "--tag", "t"] + tls).status == 0)
            let get = try run(["get", "a", "--raw"] + tls)
            #expect(get.stdout == "1", "\(get.stderr)")
            let tags = try run(["tags", "--format", "json"] + tls)
            #expect(tags.status == 0 && tags.stdout.contains("\"t\""), "\(tags.all)")
            #expect(try run(["tags", "prune"] + tls).status == 0)
            let stats = try run(["stats", "--format", "json"] + tls)
            #expect(stats.status == 0 && stats.stdout.contains("\"schema\""), "\(stats.all)")
            let invalidate = try run(["invalidate-tag", "t"] + tls)
            #expect(invalidate.status == 0, "\(invalidate.all)")
            #expect(try run(["get", "a"] + tls).status == 1)

            let manifest = Data((0..<500).map { "{\"key\": \"w\($0)\", \"value\": \"v\($0)\", \"tags\": [\"w\"]}\n" }.joined().utf8)
            let warmup = try run(["warmup", "--from", "-"] + tls, stdin: manifest)
            #expect(warmup.status == 0, "\(warmup.all)")
            #expect(try run(["delete", "w0"] + tls).status == 0)

            // Both ends of migrate over TLS: copy the namespace to another database of the same server.
            let url = try TLSServers.url
            let migrate = try run(["migrate", "--from", url, "--to", url + "/3", "--pattern", "w*", "--on-conflict", "replace"] + tls.dropFirst(2))
            #expect(migrate.status == 0, "\(migrate.all)")
            #expect(migrate.stdout.contains("499"), "\(migrate.stdout)")
            let copied = try run(["get", "w7", "--raw", "--url", url + "/3"] + tls.dropFirst(2))
            #expect(copied.stdout == "v7", "\(copied.all)")
            _ = try run(["flush", "--all", "--yes", "-q", "--url", url + "/3"] + tls.dropFirst(2))

            // delete w0 left its tag membership behind (Redis entries do not know their tags): exit 1, listed.
            let check = try run(["check", "--format", "json"] + tls)
            #expect(check.status == 1 && check.stdout.contains("\"schema\""), "\(check.all)")

            let flush = try run(["flush", "--prefix", "w", "--yes"] + tls)
            #expect(flush.status == 0, "\(flush.all)")
        }
    }

    @Test func aServerAddressedByIPMatchesTheIPAddressOfTheCertificate() throws {
        let url = try TLSServers.url.replacing("localhost", with: "127.0.0.1")
        let result = try run(["ping", "--url", url] + (try TLSServers.trust))
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func anUnknownCAIsRefusedWith77() throws {
        let system = try run(["ping", "--url", try TLSServers.url])
        #expect(system.status == 77, "\(system.all)")
        #expect(system.stderr.contains("Cannot verify the TLS certificate of Redis at localhost:"), "\(system.stderr)")
        #expect(system.stderr.contains("--cacert"), "\(system.stderr)")
        let foreign = try run(["ping", "--url", try TLSServers.url, "--cacert", try TLSServers.file("foreign-ca.crt")])
        #expect(foreign.status == 77, "\(foreign.all)")
        #expect(foreign.stderr.split(separator: "\n").count == 1, "\(foreign.stderr)")
    }

    @Test func aHashedCADirectory() throws {
        let result = try run(["ping", "--url", try TLSServers.url, "--cacertdir", try TLSServers.file("cadir")])
        #expect(result.status == 0, "\(result.stderr)")
        let file = try run(["ping", "--url", try TLSServers.url, "--cacertdir", try TLSServers.file("ca.crt")])
        #expect(file.status == 64, "\(file.stderr)")
        #expect(file.stderr.contains("ca.crt") && file.stderr.contains("--cacertdir"), "\(file.stderr)")
    }

    @Test func anExpiredCertificateIsRefusedWith77() throws {
        let result = try run(["ping", "--url", try TLSServers.expiredURL] + (try TLSServers.trust))
        #expect(result.status == 77)
        #expect(result.stderr.contains("certificate has expired"), "\(result.stderr)")
    }

    @Test func aHostMismatchNamesTheHostAndTheCertificatesNames() throws {
        let result = try run(["ping", "--url", try TLSServers.otherHostURL] + (try TLSServers.trust))
        #expect(result.status == 77)
        #expect(result.stderr.contains("other.example") && result.stderr.contains("not for localhost"), "\(result.stderr)")
        // The same server is fine when the name the certificate carries is asked for with --sni.
        let sni = try run(["ping", "--url", try TLSServers.otherHostURL, "--sni", "other.example"] + (try TLSServers.trust))
        #expect(sni.status == 0, "\(sni.stderr)")
    }

    @Test func insecureSkipsVerificationAndSaysSoEveryTime() throws {
        for extra in [[], ["-q"], ["--format", "json"]] {
            let result = try run(["ping", "--url", try TLSServers.otherHostURL, "--insecure"] + extra)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.contains("warning: --insecure"), "\(extra): \(result.stderr)")
        }
    }

    @Test func aServerThatDemandsAClientCertificate() throws {
        let url = try TLSServers.mutualURL
        let none = try run(["ping", "--url", url] + (try TLSServers.trust))
        #expect(none.status == 77, "\(none.all)")
        #expect(none.stderr.contains("demands a client certificate"), "\(none.stderr)")
        #expect(none.stderr.contains("--cert"), "\(none.stderr)")

        let good = try run(["ping", "--url", url, "--cert", try TLSServers.file("client.crt"), "--key", try TLSServers.file("client.key")]
                           + (try TLSServers.trust))
        #expect(good.status == 0, "\(good.stderr)")

        let foreign = try run(["ping", "--url", url, "--cert", try TLSServers.file("foreign-client.crt"),
                               "--key", try TLSServers.file("foreign-client.key")] + (try TLSServers.trust))
        #expect(foreign.status == 77, "\(foreign.all)")
        #expect(foreign.stderr.contains("refused the client certificate"), "\(foreign.stderr)")
        #expect(foreign.stderr.contains("foreign-client.crt"), "\(foreign.stderr)")
    }

    @Test func theApplicationsREDIS_URLMayBeRediss() throws {
        let result = try run(["ping"], environment: ["REDIS_URL": try TLSServers.url, "CACHECTL_CACERT": try TLSServers.file("ca.crt")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("rediss://"), "\(result.stdout)")
    }

    @Test func certificatesFromTheEnvironment() throws {
        let environment = ["CACHECTL_CACERT": try TLSServers.file("ca.crt"), "CACHECTL_CERT": try TLSServers.file("client.crt"),
                           "CACHECTL_KEY": try TLSServers.file("client.key"), "CACHECTL_URL": try TLSServers.mutualURL]
        let result = try run(["ping"], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        // A flag beats the environment.
        let flag = try run(["ping", "--cacert", try TLSServers.file("foreign-ca.crt")], environment: environment)
        #expect(flag.status == 77, "\(flag.all)")
    }

    @Test func TLSToAPlainPortFailsWithinTheTimeoutAndSuggestsRedis() throws {
        let started = Date()
        let result = try run(["ping", "--url", "rediss://localhost:\(try TLSServers.plainPort)", "--timeout", "1"] + (try TLSServers.trust))
        #expect(Date().timeIntervalSince(started) < 4)
        #expect(result.status == 69, "\(result.all)")
        #expect(result.stderr.contains("redis://"), "\(result.stderr)")
        // And the other way round: plain redis:// to the TLS port.
        let port = try TLSServers.url.split(separator: ":").last.map(String.init) ?? ""
        let plain = try run(["ping", "--url", "redis://localhost:\(port)", "--timeout", "1"])
        #expect(plain.status == 69, "\(plain.all)")
        #expect(plain.stderr.contains("rediss://"), "\(plain.stderr)")
    }

    @Test func unreadableOrUnusableCertificateFilesNameTheFile() throws {
        let url = try TLSServers.url
        let missing = try run(["ping", "--url", url, "--cacert", "/nonexistent/ca.pem"])
        #expect(missing.status == 74)
        #expect(missing.stderr.contains("/nonexistent/ca.pem"), "\(missing.stderr)")

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let garbage = directory.appendingPathComponent("garbage.pem").path
        try Data("not a certificate\n".utf8).write(to: URL(fileURLWithPath: garbage))
        let bad = try run(["ping", "--url", url, "--cacert", garbage])
        #expect(bad.status == 64, "\(bad.all)")
        #expect(bad.stderr.contains(garbage), "\(bad.stderr)")

        let unreadable = directory.appendingPathComponent("unreadable.key").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: unreadable))
        chmod(unreadable, 0)
        let key = try run(["ping", "--url", try TLSServers.mutualURL, "--cert", try TLSServers.file("client.crt"), "--key", unreadable]
                          + (try TLSServers.trust))
        // root reads any file: then the key is unusable rather than unreadable.
        #expect(key.status == (getuid() == 0 ? 64 : 74), "\(key.all)")
        #expect(key.stderr.contains(unreadable), "\(key.stderr)")

        let mismatch = try run(["ping", "--url", try TLSServers.mutualURL, "--cert", try TLSServers.file("client.crt"),
                                "--key", try TLSServers.file("other.key")] + (try TLSServers.trust))
        #expect(mismatch.status == 64, "\(mismatch.all)")
        #expect(mismatch.stderr.contains("does not belong"), "\(mismatch.stderr)")

        let missingCert = try run(["ping", "--url", url, "--cert", "/nonexistent/client.crt"] + (try TLSServers.trust))
        #expect(missingCert.status == 74)
        #expect(missingCert.stderr.contains("/nonexistent/client.crt"), "\(missingCert.stderr)")
    }

    @Test func aFourMegabyteBinaryValueRoundTripsOverTLS() throws {
        try withNamespace { tls in
            var generator = SystemRandomNumberGenerator()
            let value = Data((0..<(4 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let set = try CLI.run(["set", "blob", "-"] + tls, stdin: value)
            #expect(set.status == 0, "\(String(decoding: set.stderr, as: UTF8.self))")
            let get = try CLI.run(["get", "blob", "--raw"] + tls)
            #expect(get.status == 0)
            #expect(get.stdout == value)
        }
    }

    @Test func aPausedTLSServerTimesOutWith69() throws {
        // A server that stops answering (SIGSTOP): the kernel still accepts the connection, so
        // only the handshake's deadline ends the wait. The other-host server is used: only this
        // serialized suite talks to it.
        let url = try TLSServers.otherHostURL
        let port = String(url.split(separator: ":").last ?? "")
        let info = try ProcessRunner.run("redis-cli", ["--tls", "--cacert", try TLSServers.file("ca.crt"), "-h", "localhost", "-p", port,
                                                       "INFO", "server"]).stdout
        let processID = String(decoding: info, as: UTF8.self).split(separator: "\r\n")
            .first { $0.hasPrefix("process_id:") }.flatMap { Int32($0.dropFirst("process_id:".count)) }
        let serverPID = try #require(processID)
        kill(serverPID, SIGSTOP)
        defer { kill(serverPID, SIGCONT) }
        let started = Date()
        let result = try CLI.run(["ping", "--url", url, "--sni", "other.example", "--timeout", "1"] + (try TLSServers.trust))
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(result.status == 69, "\(String(decoding: result.stderr, as: UTF8.self))")
        #expect(String(decoding: result.stderr, as: UTF8.self).contains("in time"))
    }

    @Test func openSSLIsLoadedOnlyForATLSConnection() throws {
        // glibc's loader lists every library it loads (LD_DEBUG=libs), dlopen included.
        let plain = try run(["ping", "--url", "dummy:"], environment: ["LD_DEBUG": "libs"])
        #expect(plain.status == 0)
        #expect(!plain.stderr.contains("libssl") && !plain.stderr.contains("libcrypto"), "\(plain.stderr)")
        let tls = try run(["ping", "--url", try TLSServers.url] + (try TLSServers.trust), environment: ["LD_DEBUG": "libs"])
        #expect(tls.status == 0)
        #expect(tls.stderr.contains("libssl.so.3"), "\(tls.stderr.suffix(500))")
    }
}
