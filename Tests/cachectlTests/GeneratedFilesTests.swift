import Foundation
import Testing

/// The checked-in completions must match what the argument parser generates now
/// (the man page is compared by `Scripts/generate-docs.sh --check`, run by `make test`).
@Suite struct GeneratedFilesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: [("bash", "completions/cachectl.bash"), ("zsh", "completions/_cachectl"), ("fish", "completions/cachectl.fish")])
    func completionsAreCurrent(shell: String, path: String) throws {
        let generated = try CLI.run(["--generate-completion-script", shell])
        #expect(generated.status == 0)
        let checkedIn = try Data(contentsOf: Self.root.appendingPathComponent(path))
        #expect(generated.stdout == checkedIn, "\(path) is stale: run Scripts/generate-docs.sh (make docs)")
    }

    @Test func manPageNamesEverySubcommand() throws {
        let page = try String(contentsOf: Self.root.appendingPathComponent("man/cachectl.1"), encoding: .utf8)
        let help = try CLI.run(["--help"])
        let text = String(decoding: help.stdout, as: UTF8.self)
        let subcommands = text.components(separatedBy: "SUBCOMMANDS:").last?
            .split(separator: "\n").compactMap { line -> String? in
                let trimmed = line.drop(while: { $0 == " " })
                guard line.hasPrefix("  "), !line.hasPrefix("    "), let name = trimmed.split(separator: " ").first else { return nil }
                return String(name)
            } ?? []
        #expect(!subcommands.isEmpty)
        for name in subcommands where name != "See" {
            #expect(page.contains(".It Em \(name)\n"), "man/cachectl.1 has no section for \(name): run Scripts/generate-docs.sh")
        }
    }
}

/// The generated man page as `man` shows it: no warnings, indented lines keep their indentation
/// when wrapped, and EXIT STATUS carries the same exit codes as the README.
@Suite struct ManPageTests {
    static let page = GeneratedFilesTests.root.appendingPathComponent("man/cachectl.1").path

    func render(width: Int, warnings: Bool = false) throws -> ProcessOutput {
        try ProcessRunner.run("man", (warnings ? ["--warnings"] : []) + ["-l", Self.page], environment: ["MANWIDTH": String(width)])
    }

    @Test(arguments: [60, 80, 120])
    func rendersWithoutWarnings(width: Int) throws {
        let result = try render(width: width, warnings: true)
        #expect(result.status == 0)
        #expect(result.stderr.text.isEmpty, "man --warnings -l man/cachectl.1 printed:\n\(result.stderr.text)")
        #expect(result.stdout.text.contains("EXIT STATUS"))
    }

    /// The lines of the section named `title` (a line of its own, flush left).
    func section(_ title: String, of text: String) -> [Substring] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0 == title }) else { return [] }
        let rest = lines[(start + 1)...]
        let end = rest.firstIndex(where: { !$0.isEmpty && !$0.hasPrefix(" ") }) ?? rest.endIndex
        return Array(rest[..<end])
    }

    @Test func exitStatusCarriesTheExitCodeTable() throws {
        let text = try render(width: 80).stdout.text
        let exitStatus = section("EXIT STATUS", of: text).joined(separator: "\n")
        #expect(!exitStatus.contains("exits 0 on success"), "\(exitStatus)")
        let readme = try String(contentsOf: GeneratedFilesTests.root.appendingPathComponent("README.md"), encoding: .utf8)
        let table = readme.components(separatedBy: "## Exit codes").last?.components(separatedBy: "##").first ?? ""
        let codes = table.matches(of: /^\| ([0-9, ]+) \|/.anchorsMatchLineEndings()).map { String($0.output.1) }
        #expect(codes.count >= 8, "\(codes)")
        // The README's table is the code's: ExitStatus.swift is the one place exit codes are defined.
        let source = try String(contentsOf: GeneratedFilesTests.root.appendingPathComponent("Sources/cachectl/ExitStatus.swift"), encoding: .utf8)
        let defined = Set(source.matches(of: /static let [a-zA-Z]+: Int32 = ([0-9]+)/).map { String($0.output.1) })
        #expect(Set(codes.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }) == defined,
                "README exit codes \(codes) differ from ExitStatus.swift's \(defined.sorted())")
        for code in codes {
            #expect(exitStatus.contains("       \(code)  "), "EXIT STATUS has no row for \(code):\n\(exitStatus)")
        }
        // The table is in EXIT STATUS only, not repeated in the description.
        #expect(!section("DESCRIPTION", of: text).joined(separator: "\n").contains("77  "))
    }

    @Test func wrappedLinesKeepTheirIndentation() throws {
        let lines = try render(width: 60).stdout.text.split(separator: "\n").map(String.init)
        func indentation(_ line: String) -> Int { line.prefix(while: { $0 == " " }).count }
        for start in ["tag index", "65", "redis://[user[:password]@]host[:port][/db]", "dummy:"] {
            guard let index = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix(start) }) else {
                Issue.record("no line starts with \(start)")
                continue
            }
            // The row wraps at 60 columns; its continuation hangs under the description, and so
            // does the line after that.
            #expect(indentation(lines[index + 1]) > indentation(lines[index]), "\(lines[index])\n\(lines[index + 1])")
            #expect(indentation(lines[index + 2]) == indentation(lines[index + 1]), "\(lines[index...(index + 2)])")
        }
        // An example command in a subcommand's discussion is never hyphenated.
        #expect(!lines.contains { $0.hasSuffix("arti‐") || $0.hasSuffix("arti-") })
    }
}
