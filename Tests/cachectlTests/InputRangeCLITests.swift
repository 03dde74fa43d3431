import Foundation
import Testing

/// Numbers from outside, through the built binary: options are usage errors (64), manifest lines
/// are bad data (65, FILE:LINE); never a crash.
@Suite struct InputRangeCLITests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-range-\(UUID().uuidString)")

    @Test(arguments: [
        ["set", "k", "v", "--ttl", "1e19ms"], ["set", "k", "v", "--ttl", "9.3e15s"], ["set", "k", "v", "--ttl", "1e300s"],
        ["set", "k", "v", "--ttl", "0x10s"], ["set", "k", "v", "--ttl", "+5m"],
        ["warmup", "--command", "true", "--max-duration", "1e300s"], ["stats", "--window", "9.3e15s"],
        ["stats", "--watch", "1e19ms", "--count", "1"], ["ping", "--timeout", "1e19"], ["ping", "--timeout", "1e300"],
    ])
    func hugeDurationOptionsAreUsageErrors(args: [String]) throws {
        let result = try CLI.run(args + ["--url", "dummy:"])
        #expect(result.status == 64, "\(args): \(result.stderr.text)")
        #expect(result.stderr.text.contains("--"), "the message names the option: \(result.stderr.text)")
    }

    @Test(arguments: [("m.jsonl", "{\"key\":\"a\",\"value\":\"v\"}\n{\"key\":\"b\",\"value\":\"v\",\"ttl\":\"1e300s\"}\n"),
                      ("m.jsonl", "{\"key\":\"a\",\"value\":\"v\"}\n{\"key\":\"b\",\"value\":\"v\",\"ttl\":9.3e15}\n"),
                      ("m.jsonl", "{\"key\":\"a\",\"value\":\"v\"}\n{\"key\":\"b\",\"value\":01}\n"),
                      ("m.csv", "key,value,ttl\na,v,5\nb,v,1e19ms\n")])
    func hugeManifestTTLsAreBadDataNamingTheLine(name: String, text: String) throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let snapshot = directory.appendingPathComponent("s.snapshot").path
        let result = try CLI.run(["warmup", "--from", path, "--url", "file:" + snapshot])
        #expect(result.status == 65, "\(result.stderr.text)")
        #expect(result.stderr.text.contains("\(path):\(name.hasSuffix("csv") ? 3 : 2):"), "\(result.stderr.text)")
        #expect(!FileManager.default.fileExists(atPath: snapshot), "nothing is written")
    }
}
