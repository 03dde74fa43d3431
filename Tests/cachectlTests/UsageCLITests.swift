import Foundation
import Testing

/// `keys` and `usage` on a snapshot file, the chart in a real terminal (tmux), and the README's
/// description of their JSON against real output.
@Suite struct UsageCLITests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-usage-\(UUID().uuidString)")
    var url: String { "file:" + directory.appendingPathComponent("cache.snapshot").path }

    /// 30 sessions of 100 bytes (TTL), 10 user profiles of 1,000 bytes (none), 5 tagged articles.
    func fill() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var lines = ""
        for i in 0..<30 { lines += #"{"key":"session:\#(i)","value":"\#(String(repeating: "s", count: 100))","ttl":600}"# + "\n" }
        for i in 0..<10 { lines += #"{"key":"user:\#(i):profile","value":"\#(String(repeating: "u", count: 1000))","ttl":null}"# + "\n" }
        for i in 0..<5 { lines += #"{"key":"article:\#(i)","value":"\#(String(repeating: "a", count: 400))","ttl":3600,"tags":["articles"]}"# + "\n" }
        let warm = try CLI.run(["warmup", "--from", "-", "--url", url], stdin: Data(lines.utf8))
        #expect(warm.status == 0, "\(warm.stderr.text)")
    }

    func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try CLI.run(arguments + ["--url", url, "--format", "json"])
        #expect(result.status == 0, "\(arguments): \(result.stderr.text)")
        return try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any] ?? [:]
    }

    @Test func snapshotUsageIsExactValueBytes() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try fill()
        let report = try json(["usage", "--sample", "10"])
        #expect(report["mode"] as? String == "exact" && report["backend"] as? String == "snapshot")
        var groups: [String: [String: Any]] = [:]
        for group in report["groups"] as? [[String: Any]] ?? [] { groups[group["group"] as? String ?? ""] = group }
        #expect(groups["session"]?["keys"] as? Int == 30 && groups["session"]?["memory"] as? Int == 3000)
        #expect(groups["session"]?["no_ttl_keys"] as? Int == 0)
        #expect(groups["user"]?["memory"] as? Int == 10_000 && groups["user"]?["no_ttl_keys"] as? Int == 10)
        #expect(groups["article"]?["memory"] as? Int == 2000)
        #expect((groups["session"]?["ttl_max"] as? Double).map { $0 > 590 && $0 <= 600 } == true)
        // The tag set (members' key bytes) and the counters hash are keys of the "cache" namespace.
        #expect(groups["cache"]?["keys"] as? Int == 2)

        let byTag = try json(["usage", "--by", "tag"])
        let names = (byTag["groups"] as? [[String: Any]] ?? []).compactMap { $0["group"] as? String }
        #expect(Set(names) == ["(no tag)", "articles", "(tag sets)", "(counters)"])

        let keys = try json(["keys", "--sort", "size", "--limit", "2"])
        let rows = keys["keys"] as? [[String: Any]] ?? []
        #expect(rows.count == 2 && rows.allSatisfy { $0["size"] as? Int == 1000 && $0["role"] as? String == "entry" })
        let roles = try json(["keys", "--prefix", "cache:"])
        #expect((roles["keys"] as? [[String: Any]] ?? []).compactMap { $0["role"] as? String } == ["counters", "tag_set"])

        let failed = try CLI.run(["usage", "--url", url, "--assert", "no_ttl_keys{prefix=user}==0", "--assert", "memory<=1MiB"])
        #expect(failed.status == 1)
        #expect(failed.stderr.text == "assertion failed: no_ttl_keys{prefix=user} 10.00 == 0\n")
    }

    @Test func badOptionsAreUsageErrors() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        for arguments in [["usage", "--sample", "0"], ["usage", "--sample", "5", "--exact"], ["usage", "--depth", "0"], ["usage", "--by", "size"],
                          ["usage", "--top", "-1"], ["usage", "--separator", ""], ["keys", "--type", "blob"], ["keys", "--min-size", "-3"],
                          ["keys", "--min-size", "lots"], ["keys", "--limit", "0"], ["keys", "--pattern", ""], ["keys", "--sort", "age"],
                          ["usage", "--format", "prometheus"]] {
            let result = try CLI.run(arguments + ["--url", url])
            #expect(result.status == 64, "\(arguments): \(result.stderr.text)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path))
    }

    /// Runs `usage` in a detached tmux session of its own and returns the screen.
    func screen(environment: String) throws -> String {
        let socket = "cachectl-usage-\(UUID().uuidString.prefix(8))"
        // Through bash with every descriptor above 2 closed: the tmux server must not inherit the
        // runner's pipes (it would hold them open for as long as it lives).
        func tmux(_ arguments: String) throws -> ProcessOutput {
            try ProcessRunner.run("bash", ["-c", #"for fd in /proc/$$/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done; "#
                                                + "exec tmux -L \(socket) -f /dev/null " + arguments])
        }
        defer { _ = try? tmux("kill-server") }
        let command = "env -i PATH=/usr/bin:/bin HOME=/tmp TERM=xterm-256color \(environment) '\(CLI.binary.path)' usage --url '\(url)'; sleep 30"
        let started = try tmux("new-session -d -x 160 -y 40 \"\(command)\" </dev/null >/dev/null 2>&1")
        #expect(started.status == 0, "\(started.stderr.text)")
        var text = ""
        for _ in 0..<100 {
            text = try tmux("capture-pane -p -e").stdout.text
            if text.contains("usage by prefix"), text.contains("cache ") { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return text
    }

    @Test func chartInATerminalUsesBlocksAndDegradesToASCII() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try fill()
        let unicode = try screen(environment: "LANG=C.UTF-8")
        #expect(unicode.contains("█"), "\(unicode)")
        #expect(unicode.contains("\u{1B}["), "color on a terminal")
        let user = unicode.split(separator: "\n").first { $0.hasPrefix("user ") || $0.contains("user\u{1B}") || $0.hasPrefix("user  ") }
        #expect(user.map { $0.contains("█") } == true, "\(unicode)")

        let noColor = try screen(environment: "LANG=C.UTF-8 NO_COLOR=1")
        #expect(!noColor.contains("█") && noColor.contains("###") && !noColor.contains("\u{1B}[3"), "\(noColor)")
        let latin = try screen(environment: "LANG=C")
        #expect(!latin.contains("█") && latin.contains("###"), "\(latin)")
    }

    /// Every JSON field name of `keys`, `keys --format jsonl` and `usage` is in README's table, and back.
    @Test func readmeNamesTheRealFields() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try fill()
        let readme = try String(contentsOf: GeneratedFilesTests.root.appendingPathComponent("README.md"), encoding: .utf8)
        func documented(_ command: String) -> Set<String> {
            guard let row = readme.split(separator: "\n").first(where: { $0.hasPrefix("| `\(command)` |") }) else { return [] }
            let cell = row.split(separator: "|", omittingEmptySubsequences: false).dropFirst(2).joined(separator: "|")
            // Names are the words inside backticks; prose outside them is not a field.
            let code = cell.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
            var names = Set<String>()
            var word = ""
            for character in code.joined(separator: " ") + " " {
                if character.isLetter || character.isNumber || character == "_" { word.append(character) } else {
                    if !word.isEmpty { names.insert(word) }
                    word = ""
                }
            }
            // Printed only for a key that is not UTF-8, which the snapshot cannot hold; the
            // integration drift test prints it from Redis.
            return names.subtracting(["key_base64"])
        }
        func fields(_ value: Any) -> Set<String> {
            if let object = value as? [String: Any] {
                return object.reduce(into: Set(object.keys)) { $0.formUnion(fields($1.value)) }
            }
            if let array = value as? [Any] { return array.reduce(into: Set<String>()) { $0.formUnion(fields($1)) } }
            return []
        }
        let usage = try json(["usage", "--top", "1", "--assert", "keys>0"])
        #expect(usage["other"] is [String: Any] && (usage["groups"] as? [[String: Any]])?.first?["biggest_key"] is [String: Any])
        #expect(documented("usage") == fields(usage).subtracting(["schema"]), "README's usage row differs from the output")
        let keys = try json(["keys"])
        #expect(documented("keys") == fields(keys).subtracting(["schema"]), "README's keys row differs from the output")
        let line = try CLI.run(["keys", "--url", url, "--format", "jsonl", "--limit", "1"])
        let object = try JSONSerialization.jsonObject(with: line.stdout) as? [String: Any] ?? [:]
        #expect(documented("keys --format jsonl") == fields(object).subtracting(["schema"]))
    }
}
