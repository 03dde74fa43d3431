import CacheClient
import cachectlTests
import Foundation
import Testing

/// ACL users over TLS: every way of giving the user and password, and a refused login that
/// names the user and never the password, whatever the output mode.
@Suite(.serialized) struct ACLTests {
    func run(_ args: [String], environment: [String: String] = [:]) throws -> (out: String, err: String, status: Int32) {
        let result = try CLI.run(args, environment: environment)
        return (String(decoding: result.stdout, as: UTF8.self), String(decoding: result.stderr, as: UTF8.self), result.status)
    }

    func hostPort() throws -> String { String(try TLSServers.url.dropFirst("rediss://".count)) }

    func passwordFile(_ contents: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-acl-\(UUID().uuidString)").path
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func theUserAndPasswordInTheURL() throws {
        let url = "rediss://\(try TLSServers.aclUser):\(try TLSServers.aclPassword)@\(try hostPort())"
        let result = try run(["ping", "--url", url, "-v"] + (try TLSServers.trust))
        #expect(result.status == 0, "\(result.err)")
        #expect(!(result.out + result.err).contains(try TLSServers.aclPassword))
        #expect(result.out.contains("\(try TLSServers.aclUser):***@"), "\(result.out)")
    }

    @Test func userFlagWithEachSourceOfThePassword() throws {
        let user = try TLSServers.aclUser
        let password = try TLSServers.aclPassword
        let url = "rediss://\(try hostPort())"
        let file = try passwordFile(password + "\n")
        defer { unlink(file) }
        let ways: [([String], [String: String])] = [
            (["--password-file", file], [:]),
            ([], ["REDIS_PASSWORD": password]),
            ([], ["REDISCLI_AUTH": password]),
        ]
        for (options, environment) in ways {
            let result = try run(["ping", "--url", url, "--user", user] + options + (try TLSServers.trust), environment: environment)
            #expect(result.status == 0, "\(options) \(environment.keys): \(result.err)")
        }
        // --user beats the URL's user.
        let other = try run(["ping", "--url", "rediss://nobody@\(try hostPort())", "--user", user, "--password-file", file]
                            + (try TLSServers.trust))
        #expect(other.status == 0, "\(other.err)")
    }

    @Test func aRefusedLoginExits77NamingTheUserNeverThePassword() throws {
        let user = try TLSServers.aclUser
        let wrong = "wr0ng-\(UUID().uuidString.prefix(8))"
        let real = try TLSServers.aclPassword
        let file = try passwordFile(wrong)
        defer { unlink(file) }
        let cases: [[String]] = [
            ["--url", "rediss://\(user):\(wrong)@\(try hostPort())"],
            ["--url", "rediss://\(try hostPort())", "--user", user, "--password-file", file],
            ["--url", "rediss://\(user):\(wrong)@\(try hostPort())", "--format", "json"],
            ["--url", "rediss://\(user):\(wrong)@\(try hostPort())", "-v"],
            ["--url", "rediss://\(user):\(wrong)@\(try hostPort())", "--format", "json", "-v"],
        ]
        for options in cases {
            for command in [["ping"], ["get", "k"], ["stats"]] {
                let result = try run(command + options + (try TLSServers.trust))
                #expect(result.status == 77, "\(command) \(options): \(result.err)")
                #expect(result.err.contains(user), "\(result.err)")
                #expect(!(result.out + result.err).contains(wrong), "\(command) \(options) printed the password")
                #expect(!(result.out + result.err).contains(real))
            }
        }
        let json = try run(["ping", "--format", "json"] + cases[2].dropFirst(0) + (try TLSServers.trust))
        let object = try JSONSerialization.jsonObject(with: Data(json.err.utf8)) as? [String: Any]
        #expect((object?["error"] as? [String: Any])?["code"] as? Int == 77, "\(json.err)")
    }
}
