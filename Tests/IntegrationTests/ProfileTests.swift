import CacheClient
import cachectlTests
import Foundation
import Testing

/// Connection profiles from the config file: selection, precedence, errors, listing.
@Suite(.serialized) struct ProfileTests {
    /// A private config directory with `config.toml` holding `text`.
    struct ConfigDirectory {
        let path: String
        var file: String { path + "/cachectl/config.toml" }

        init(_ text: String, mode: mode_t = 0o600) throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-config-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path + "/cachectl", withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path + "/cachectl/config.toml"))
            chmod(path + "/cachectl/config.toml", mode)
        }

        func remove() { try? FileManager.default.removeItem(atPath: path) }
    }

    func run(_ args: [String], environment: [String: String] = [:]) throws -> (out: String, err: String, status: Int32) {
        let result = try CLI.run(args, environment: environment)
        return (String(decoding: result.stdout, as: UTF8.self), String(decoding: result.stderr, as: UTF8.self), result.status)
    }

    func tlsProfile(name: String = "prod", cacert: String? = nil, extra: String = "") throws -> String {
        """
        # cachectl profiles
        [profiles.\(name)]
        url = "\(try TLSServers.url)"
        cacert = "\(try cacert ?? TLSServers.file("ca.crt"))"
        timeout = 3
        \(extra)

        [profiles.local]
        url = 'dummy:'
        """
    }

    @Test func aProfileFromTheDefaultLocationByFlagOrEnvironment() throws {
        let config = try ConfigDirectory(try tlsProfile())
        defer { config.remove() }
        let environment = ["XDG_CONFIG_HOME": config.path]
        let flag = try run(["ping", "--profile", "prod"], environment: environment)
        #expect(flag.status == 0, "\(flag.err)")
        #expect(flag.out.contains("rediss://localhost:"), "\(flag.out)")
        let variable = try run(["ping"], environment: environment.merging(["CACHECTL_PROFILE": "local"]) { $1 })
        #expect(variable.out.contains("dummy"), "\(variable.out)\(variable.err)")
        // --config and CACHECTL_CONFIG name the file directly; HOME/.config is the last default.
        #expect(try run(["ping", "--profile", "prod", "--config", config.file]).status == 0)
        #expect(try run(["ping", "--profile", "prod"], environment: ["CACHECTL_CONFIG": config.file]).status == 0)
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-home-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        try FileManager.default.createSymbolicLink(atPath: home + "/.config", withDestinationPath: config.path)
        #expect(try run(["ping", "--profile", "prod"], environment: ["HOME": home]).status == 0)
    }

    @Test func flagsBeatEnvironmentBeatsProfileBeatsDefaults() throws {
        // The profile trusts the wrong CA; the environment the right one; a flag the wrong one again.
        let config = try ConfigDirectory(try tlsProfile(cacert: try TLSServers.file("foreign-ca.crt")))
        defer { config.remove() }
        let base = ["XDG_CONFIG_HOME": config.path, "CACHECTL_PROFILE": "prod"]
        #expect(try run(["ping"], environment: base).status == 77)
        let environment = base.merging(["CACHECTL_CACERT": try TLSServers.file("ca.crt")]) { $1 }
        #expect(try run(["ping"], environment: environment).status == 0)
        #expect(try run(["ping", "--cacert", try TLSServers.file("foreign-ca.crt")], environment: environment).status == 77)
        // The URL: CACHECTL_URL beats the profile's, --url beats CACHECTL_URL, the profile beats REDIS_URL.
        let url = try run(["ping", "-v"], environment: environment.merging(["CACHECTL_URL": "dummy:"]) { $1 })
        #expect(url.out.contains("dummy"), "\(url.out)")
        let flag = try run(["ping", "--url", "redis://127.0.0.1:1"], environment: environment.merging(["CACHECTL_URL": "dummy:"]) { $1 })
        #expect(flag.status == 69 && flag.err.contains("127.0.0.1:1"), "\(flag.err)")
        let seeds = try run(["ping"], environment: environment.merging(["REDIS_URL": "redis://127.0.0.1:1"]) { $1 })
        #expect(seeds.status == 0 && seeds.out.contains("rediss://"), "\(seeds.out)\(seeds.err)")
        // Prefixes: the profile's, unless a flag gives one.
        let prefixed = try ConfigDirectory("[profiles.p]\nurl = \"dummy:\"\nkey_prefix = \"app:\"\ntimeout = 0.5\nlayout = \"django\"\n")
        defer { prefixed.remove() }
        let verbose = try run(["ping", "-v", "--profile", "p"], environment: ["XDG_CONFIG_HOME": prefixed.path])
        #expect(verbose.status == 0 && verbose.err.contains("profile p"), "\(verbose.err)")
    }

    @Test func anUnknownProfileNamesItAndTheKnownOnes() throws {
        let config = try ConfigDirectory(try tlsProfile())
        defer { config.remove() }
        let result = try run(["ping", "--profile", "staging"], environment: ["XDG_CONFIG_HOME": config.path])
        #expect(result.status == 64)
        #expect(result.err.contains("\"staging\"") && result.err.contains("prod, local"), "\(result.err)")
        let missing = try run(["ping", "--profile", "prod", "--config", "/nonexistent/config.toml"])
        #expect(missing.status == 74 && missing.err.contains("/nonexistent/config.toml"), "\(missing.err)")
    }

    @Test(arguments: [
        ("[profiles.a]\nurl = \"dummy:\"\n[profiles.b\n", 3),
        ("[profiles.a]\nurl = dummy:\n", 2),
        ("[profiles.a]\nurl = \"dummy:\"\ntimeout = \"ten\"\n", 3),
        ("[profiles.a]\n\nurls = \"dummy:\"\n", 3),
        ("url = \"dummy:\"\n", 1),
        ("[profiles.a]\nurl = \"dummy:\n", 2),
    ])
    func aMalformedFileNamesFileAndLine(text: String, line: Int) throws {
        let config = try ConfigDirectory(text)
        defer { config.remove() }
        let result = try run(["ping", "--profile", "a"], environment: ["XDG_CONFIG_HOME": config.path])
        #expect(result.status == 64, "\(result.err)")
        #expect(result.err.contains("\(config.file):\(line): "), "\(result.err)")
        #expect(result.err.split(separator: "\n").count == 1, "\(result.err)")
    }

    @Test func aPasswordInAFileOthersCanReadIsWarnedAbout() throws {
        let secret = "s3cret-\(UUID().uuidString.prefix(6))"
        let text = "[profiles.a]\nurl = \"redis://app:\(secret)@127.0.0.1:1\"\n[profiles.b]\nurl = \"dummy:\"\n"
        let open = try ConfigDirectory(text, mode: 0o644)
        defer { open.remove() }
        let warned = try run(["ping", "--profile", "b"], environment: ["XDG_CONFIG_HOME": open.path])
        #expect(warned.err.contains("readable by others") && warned.err.contains("chmod 600"), "\(warned.err)")
        #expect(!warned.err.contains(secret))
        let closed = try ConfigDirectory(text, mode: 0o600)
        defer { closed.remove() }
        #expect(!(try run(["ping", "--profile", "b"], environment: ["XDG_CONFIG_HOME": closed.path]).err.contains("readable by others")))
    }

    @Test func profilesListsEndpointsWithPasswordsHidden() throws {
        let secret = "s3cret-\(UUID().uuidString.prefix(6))"
        let config = try ConfigDirectory(try tlsProfile(extra: "user = \"app\"") + "\n[profiles.auth]\nurl = \"redis://app:\(secret)@cache:6379/2\"\n")
        defer { config.remove() }
        let table = try run(["profiles"], environment: ["XDG_CONFIG_HOME": config.path])
        #expect(table.status == 0, "\(table.err)")
        for name in ["prod", "local", "auth"] { #expect(table.out.contains(name), "\(table.out)") }
        #expect(table.out.contains("redis://app:***@cache:6379/2"), "\(table.out)")
        #expect(!(table.out + table.err).contains(secret))
        let json = try run(["profiles", "--format", "json"], environment: ["XDG_CONFIG_HOME": config.path])
        let object = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any]
        let profiles = object?["profiles"] as? [[String: Any]]
        #expect(profiles?.map { $0["name"] as? String } == ["prod", "local", "auth"], "\(json.out)")
        #expect(object?["schema"] as? Int == 1)
        #expect(!json.out.contains(secret))
    }

    @Test func theUserAndPasswordFileOfAProfile() throws {
        let passwordFile = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-pw-\(UUID().uuidString)").path
        try Data((try TLSServers.aclPassword + "\n").utf8).write(to: URL(fileURLWithPath: passwordFile))
        defer { unlink(passwordFile) }
        let config = try ConfigDirectory(try tlsProfile(extra: "user = \"\(try TLSServers.aclUser)\"\npassword_file = \"\(passwordFile)\""))
        defer { config.remove() }
        let result = try run(["ping", "--profile", "prod"], environment: ["XDG_CONFIG_HOME": config.path])
        #expect(result.status == 0, "\(result.err)")
        let refused = try run(["ping", "--profile", "prod"], environment: ["XDG_CONFIG_HOME": config.path, "REDIS_PASSWORD": "wrong"])
        #expect(refused.status == 77, "REDIS_PASSWORD beats the profile's password_file: \(refused.err)")
    }
}

