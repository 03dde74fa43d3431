import Foundation
import Testing

/// The runner itself: if it deadlocked or leaked the caller's environment, every CLI test would lie.
@Suite("Process runner")
struct ProcessRunnerTests {
    @Test("moves a 1 MiB value through stdin and stdout without blocking")
    func largeOutput() throws {
        let value = Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let result = try ProcessRunner.run("cat", [], stdin: value)
        #expect(result.status == 0)
        #expect(result.stdout == value)
    }

    @Test("starts the child from PATH and HOME plus what the test passes")
    func cleanEnvironment() throws {
        let result = try ProcessRunner.run("env", [], environment: ["CACHECTL_URL": "dummy:"])
        let names = Set(result.stdout.text.split(separator: "\n").map { String($0.prefix { $0 != "=" }) })
        #expect(names == ["PATH", "HOME", "CACHECTL_URL"])
    }

    @Test("reports the exit status of a failing child")
    func exitStatus() throws {
        let result = try ProcessRunner.run("sh", ["-c", "echo oops >&2; exit 3"])
        #expect(result.status == 3)
        #expect(result.stderr.text == "oops\n")
    }
}

extension ProcessRunnerTests {
    @Test("stops a child that outlives its timeout")
    func timeout() throws {
        let started = ContinuousClock.now
        #expect(throws: ProcessRunnerError.self) {
            try ProcessRunner.run("sleep", ["30"], timeout: .milliseconds(300))
        }
        #expect(ContinuousClock.now - started < .seconds(10))
    }
}

extension ProcessRunnerTests {
    @Test("starts the child with no blocked signals, so it can be stopped")
    func signalsReachTheChild() throws {
        let status = try ProcessRunner.run("cat", ["/proc/self/status"]).stdout.text
        let blocked = status.split(separator: "\n").first { $0.hasPrefix("SigBlk:") }
        #expect(blocked.map { $0.hasSuffix("0000000000000000") } == true, "\(blocked ?? "no SigBlk line")")
    }
}
