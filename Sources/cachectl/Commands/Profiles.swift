import ArgumentParser
import CacheClient

extension Cachectl {
    struct Profiles: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "profiles",
            abstract: "List the connection profiles of the config file, with passwords hidden.",
            discussion: """
                The config file is TOML: --config FILE, else CACHECTL_CONFIG, else \
                $XDG_CONFIG_HOME/cachectl/config.toml, else ~/.config/cachectl/config.toml. Each \
                [profiles.NAME] table holds long options in snake_case: url, cacert, cacertdir, cert, key, \
                sni, user, password_file, key_prefix, tag_prefix, stats_key, timeout (and layout, passed \
                through). --profile NAME or CACHECTL_PROFILE selects one; a flag beats an environment \
                variable, which beats the profile, which beats the default. A file that others can read \
                and that holds a password in a URL gets a warning: chmod 600 it, or use password_file.

                Example config.toml:
                  [profiles.prod]
                  url = "rediss://cache.example.com:6380"
                  cacert = "~/certs/prod-ca.pem"
                  user = "ops"
                  password_file = "~/.secrets/redis-prod"

                Examples:
                  cachectl profiles
                  cachectl --profile prod stats
                """).underCachectl

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let context = Context(global)
            try context.renderer.check(ProfilesResult.self, command: "profiles")
            let file = try ProfileFile.load(options: global.connection, environment: context.environment)
            for warning in file.warnings { Terminal.writeError("cachectl: " + warning + "\n") }
            if !file.exists { context.note("no config file at \(file.path)") }
            context.renderer.render(ProfilesResult(file: file))
        }
    }
}
