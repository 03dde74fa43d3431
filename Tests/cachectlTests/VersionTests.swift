import Foundation
import Testing

@Suite("cachectl --version")
struct VersionTests {
    @Test("prints a semantic version and exits 0")
    func printsVersion() throws {
        let result = try CLI.run(["--version"])
        #expect(result.status == 0, "stderr: \(result.stderr.text)")
        let version = result.stdout.text.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(version.wholeMatch(of: /\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?/) != nil, "got \(version.debugDescription)")
        #expect(result.stderr.isEmpty)
    }
}
