import Foundation
import Testing

/// `make demo`'s script on a copy of its files: it ends with the hit rate that an application's
/// reads through CacheClient made, and that rate is the one those reads report.
@Suite struct DemoTests {
    @Test func demoEndsWithTheHitRateOfRealReads() throws {
        let root = GeneratedFilesTests.root
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-demo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("Scripts/demo"), withIntermediateDirectories: true)
        for file in ["Scripts/demo.sh", "Scripts/demo/articles.jsonl"] {
            try FileManager.default.copyItem(at: root.appendingPathComponent(file), to: directory.appendingPathComponent(file))
        }
        let binary = CLI.binary
        let result = try ProcessRunner.run(directory.appendingPathComponent("Scripts/demo.sh"), [], environment: [
            "CACHECTL_BIN": binary.path,
            "CACHECTL_READ_THROUGH": binary.deletingLastPathComponent().appendingPathComponent("cachectl-read-through").path,
        ], timeout: .seconds(300))
        #expect(result.status == 0, "\(result.stderr.text)")
        let out = result.stdout.text
        guard let reads = out.firstMatch(of: /read-through: 500 reads through CacheClient's Cache, (\d+) hits, (\d+) misses/) else {
            Issue.record("the demo made no reads through CacheClient:\n\(out)")
            return
        }
        let hits = Double(reads.output.1)!, misses = Double(reads.output.2)!
        #expect(hits + misses == 500 && hits > 0 && misses > 0)
        guard let rate = out.firstMatch(of: /hit rate: (\d+\.\d\d) % \(app\)/) else {
            Issue.record("the demo's stats show no app hit rate:\n\(out)")
            return
        }
        #expect(String(rate.output.1) == String(format: "%.2f", hits / (hits + misses) * 100))
        // The stats are the last thing the demo prints.
        #expect(out.hasSuffix(out[rate.range.lowerBound...]) && out.components(separatedBy: "hit rate:").count == 2)
    }
}
