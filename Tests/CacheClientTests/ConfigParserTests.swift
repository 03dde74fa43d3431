import Testing
@testable import CacheClient

@Suite struct ConfigParserTests {
    @Test func readsProfilesWithEveryKeyAndTOMLStringForms() throws {
        let text = """
            # comment
            [profiles.prod]   # trailing comment
            url = "rediss://app:p%40ss@cache:6380/1"
            cacert = '/etc/ssl/ca # not a comment.pem'
            cacertdir = "/etc/ssl/certs"
            cert = "~/certs/client.pem"
            key = "~/certs/client.key"
            sni = "cache.internal"
            user = "app"
            password_file = "/run/secrets/redis"
            key_prefix = "rag_materials:"
            tag_prefix = "t:"
            stats_key = "s"
            timeout = 2.5
            layout = "django"

            [profiles."with space"]
            url = "redis://h\\u00e9:1"
            "timeout" = 10
            """
        let profiles = try ConfigParser.profiles(in: text, path: "c.toml", home: "/home/op")
        #expect(profiles.map(\.name) == ["prod", "with space"])
        let prod = profiles[0]
        #expect(prod.url == "rediss://app:p%40ss@cache:6380/1")
        #expect(prod.shownURL == "rediss://app:***@cache:6380/1")
        #expect(prod.cacert == "/etc/ssl/ca # not a comment.pem")
        #expect(prod.cert == "/home/op/certs/client.pem")
        #expect(prod.key == "/home/op/certs/client.key")
        #expect(prod.timeout == 2.5)
        #expect(prod.layout == "django")
        #expect(prod.keyPrefix == "rag_materials:")
        #expect(profiles[1].url == "redis://hé:1")
        #expect(profiles[1].timeout == 10)
    }

    @Test(arguments: [
        ("[profiles.a]\nurl = \"x\"\nurl = \"y\"\n", 3, "set twice"),
        ("[profiles.a]\n[profiles.a]\n", 2, "defined twice"),
        ("[servers.a]\n", 1, "unknown table"),
        ("[[profiles]]\n", 1, "arrays of tables"),
        ("[profiles.a]\ntimeout = 0\n", 2, "timeout"),
        ("[profiles.a]\ntimeout = 1e9\n", 2, "timeout"),
        ("[profiles.a]\ntimeout = nan\n", 2, "not a TOML"),
        ("[profiles.a]\nurl = \"\"\"x\"\"\"\n", 2, "multi-line"),
        ("[profiles.a]\nurl = \"a\" b\n", 2, "unexpected"),
        ("[profiles.a]\nsni = \"\"\n", 2, "must not be empty"),
        ("[profiles.a]\nurl = \"\\q\"\n", 2, "unknown escape"),
        ("[profiles.a.b]\n", 1, "[profiles.NAME]"),
        ("[profiles.a]\nuser = 5\n", 2, "must be a string"),
    ])
    func refusesNamingTheLine(text: String, line: Int, reason: String) {
        do {
            _ = try ConfigParser.profiles(in: text, path: "c.toml", home: nil)
            Issue.record("accepted: \(text)")
        } catch let error as CacheError {
            #expect(error.kind == .usage)
            #expect(error.message.hasPrefix("c.toml:\(line): "), "\(error.message)")
            #expect(error.message.contains(reason), "\(error.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
