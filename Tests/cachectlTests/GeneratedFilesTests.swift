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
