import Foundation
import Testing

/// The first pass over a large JSON Lines manifest runs in parts on several threads
/// (`WarmupValidation.swift`): the report must be exactly what one pass gives — every invalid
/// line counted, the first 100 issues in file order with their line numbers in the file — also
/// when a part boundary falls inside a very long line, and with CRLF line ends, blank lines and
/// a byte-order mark.
@Suite struct WarmupValidationTests {
    let directory: URL
    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-validation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// A manifest of more than 4 MiB; returns its path, the line numbers of its invalid records,
    /// and how many valid ones it has.
    func manifest(crlf: Bool) throws -> (path: String, invalid: [Int], valid: Int) {
        var text = "\u{FEFF}"
        var invalid: [Int] = []
        var valid = 0
        let end = crlf ? "\r\n" : "\n"
        let filler = String(repeating: "x", count: 80)
        for line in 1...60_000 {
            if line == 30_000 {
                // About 1.5 MiB on one line, around the middle of the file where a part may begin.
                text += "{\"key\":\"long\",\"value\":\"" + String(repeating: "y", count: 1_500_000) + "\"}" + end
                valid += 1
            } else if line % 397 == 0 {
                text += (line % 2 == 0 ? "{\"key\":\"bad\(line)\",\"tll\":5}" : "{\"key\":\"bad\(line)\"") + end
                invalid.append(line)
            } else if line % 1000 == 1 {
                text += "   " + end  // blank
            } else {
                text += "{\"key\":\"k\(line)\",\"value\":\"\(filler)\",\"ttl\":600,\"tags\":[\"t\(line % 7)\"]}" + end
                valid += 1
            }
        }
        let path = directory.appendingPathComponent(crlf ? "crlf.jsonl" : "lf.jsonl").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        #expect(text.utf8.count > 5 << 20)
        return (path, invalid, valid)
    }

    @Test(arguments: [false, true]) func aLargeManifestIsReportedExactlyAsOnePassWould(crlf: Bool) throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let (path, invalid, valid) = try manifest(crlf: crlf)
        let target = ["--url", "file:" + directory.appendingPathComponent("cache.snapshot").path]
        let refused = try CLI.run(["warmup", "--from", path, "--format", "json"] + target)
        #expect(refused.status == 65)
        let report = try #require(try JSONSerialization.jsonObject(with: refused.stdout) as? [String: Any])
        #expect(report["invalid"] as? Int == invalid.count)
        #expect(report["total"] as? Int == valid)
        #expect(report["written"] as? Int == 0)
        let lines = (report["errors"] as? [[String: Any]] ?? []).compactMap { $0["line"] as? Int }
        #expect(lines == Array(invalid.prefix(100)), "the first 100 issues, in file order, numbered in the file")
        let reasons = (report["errors"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String }
        #expect(reasons.first?.contains("did you mean \"ttl\"") == false && reasons.first?.isEmpty == false)
        #expect(reasons[1].contains("did you mean \"ttl\""), "line \(invalid[1]) names the near miss: \(reasons[1])")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("cache.snapshot").path), "nothing written")
        // Written with --skip-invalid: every valid record, the long one byte for byte.
        let written = try CLI.run(["warmup", "--from", path, "--skip-invalid", "--format", "json"] + target)
        let after = try #require(try JSONSerialization.jsonObject(with: written.stdout) as? [String: Any])
        #expect(after["written"] as? Int == valid)
        #expect(after["invalid"] as? Int == invalid.count)
        let long = try CLI.run(["get", "long", "--raw"] + target)
        #expect(long.stdout.count == 1_500_000)
        let first = try CLI.run(["get", "k2", "--raw"] + target)
        #expect(String(decoding: first.stdout, as: UTF8.self) == String(repeating: "x", count: 80))
    }
}
