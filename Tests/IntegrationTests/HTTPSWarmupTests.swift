import CacheClient
import cachectlTests
import Foundation
import Testing

/// warmup --url-template https://… against a local HTTPS server, verified like Redis.
@Suite(.serialized) struct HTTPSWarmupTests {
    @Test func fetchesOverVerifiedHTTPSAndRefusesAnUnverifiedServerBeforeWriting() throws {
        let www = try TLSServers.file("www")
        let id = UUID().uuidString.lowercased()
        let keys = (0..<20).map { "\(id)-\($0)" }
        for key in keys { try Data("value of \(key)".utf8).write(to: URL(fileURLWithPath: www + "/" + key)) }
        defer { for key in keys { unlink(www + "/" + key) } }
        let keysFile = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-keys-\(id)").path
        try Data((keys.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: keysFile))
        defer { unlink(keysFile) }
        let prefix = "t-\(id):"
        let redis = ["--url", try TLSServers.url, "--key-prefix", prefix] + (try TLSServers.trust)
        defer { _ = try? CLI.run(["flush", "--all", "--yes", "-q"] + redis) }
        let template = try TLSServers.httpsURL + "/{key}"

        // The system store does not know the test CA: a clear error, exit 77, nothing written.
        let refused = try CLI.run(["warmup", "--url-template", template, "--keys", keysFile] + redis)
        let refusedErr = String(decoding: refused.stderr, as: UTF8.self)
        #expect(refused.status == 77, "\(refusedErr)")
        #expect(refusedErr.contains("Cannot verify the TLS certificate of https://localhost:"), "\(refusedErr)")
        #expect(refusedErr.contains("--source-cacert"), "\(refusedErr)")
        let none = try CLI.run(["get", keys[0]] + redis)
        #expect(none.status == 1)

        let fetched = try CLI.run(["warmup", "--url-template", template, "--keys", keysFile, "--source-cacert", try TLSServers.file("ca.crt"),
                                   "--format", "json"] + redis)
        #expect(fetched.status == 0, "\(String(decoding: fetched.stderr, as: UTF8.self))")
        let report = try JSONSerialization.jsonObject(with: fetched.stdout) as? [String: Any]
        #expect(report?["written"] as? Int == 20, "\(String(decoding: fetched.stdout, as: UTF8.self))")
        let value = try CLI.run(["get", keys[7], "--raw"] + redis)
        #expect(String(decoding: value.stdout, as: UTF8.self) == "value of \(keys[7])")
    }

    @Test func aMissingSourceCAFileIsNamed() throws {
        let keysFile = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-keys-\(UUID().uuidString)").path
        try Data("k\n".utf8).write(to: URL(fileURLWithPath: keysFile))
        defer { unlink(keysFile) }
        let result = try CLI.run(["warmup", "--url-template", try TLSServers.httpsURL + "/{key}", "--keys", keysFile,
                                  "--source-cacert", "/nonexistent/source-ca.pem", "--url", "dummy:"])
        #expect(result.status == 74)
        #expect(String(decoding: result.stderr, as: UTF8.self).contains("/nonexistent/source-ca.pem"))
    }
}
