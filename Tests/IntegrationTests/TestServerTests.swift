import Foundation
import Testing
import cachectlTests

/// Checks the servers themselves with `redis-cli`, so a broken test setup is reported as that,
/// not as a failure of whatever suite happens to run first.
@Suite("Test redis-servers")
struct TestServerTests {
    @Test("the plain server answers PING over TCP")
    func tcp() throws {
        let result = try ProcessRunner.run("redis-cli", ["-u", try TestEnvironment.redisURL, "PING"])
        #expect(result.status == 0, "stderr: \(result.stderr.text)")
        #expect(result.stdout.text == "PONG\n")
    }

    @Test("the plain server answers PING over its unix socket")
    func unixSocket() throws {
        let result = try ProcessRunner.run("redis-cli", ["-s", try TestEnvironment.redisSocket, "PING"])
        #expect(result.status == 0, "stderr: \(result.stderr.text)")
        #expect(result.stdout.text == "PONG\n")
    }

    @Test("the password server refuses a client without the password and accepts one with it")
    func authentication() throws {
        let url = try TestEnvironment.redisAuthURL
        #expect(!url.contains("@"), "the auth URL must not carry the password")

        let refused = try ProcessRunner.run("redis-cli", ["-u", url, "PING"])
        #expect(refused.stdout.text.contains("NOAUTH"), "stdout: \(refused.stdout.text)")

        // REDISCLI_AUTH keeps the password off the command line, as cachectl's own tests must.
        let accepted = try ProcessRunner.run(
            "redis-cli", ["-u", url, "PING"], environment: ["REDISCLI_AUTH": try TestEnvironment.redisPassword])
        #expect(accepted.status == 0, "stderr: \(accepted.stderr.text)")
        #expect(accepted.stdout.text == "PONG\n")
    }
}
