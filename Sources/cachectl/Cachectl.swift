import ArgumentParser

/// The root command: configuration only; each subcommand lives in Commands/.
struct Cachectl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cachectl",
        abstract: "Administer application caches in Redis or a local snapshot file.",
        discussion: Manual.discussion,
        version: "0.1.0",
        subcommands: [Get.self, SetEntry.self, Delete.self, Ping.self, Stats.self, InvalidateTag.self, Tags.self, Flush.self,
                      Migrate.self, Warmup.self, Check.self, Profiles.self, Keys.self, Usage.self]
    )
}

extension CommandConfiguration {
    /// A direct subcommand's configuration, naming `cachectl` as its parent for the times it is
    /// parsed on its own (`ArgumentOrder.leafCommand`): usage lines keep the full command path,
    /// and the parser skips its completion-script check, which costs more than the command.
    /// Under the root command, as in help, completions and the man page, nothing changes.
    var underCachectl: CommandConfiguration {
        var configuration = self
        configuration._superCommandName = "cachectl"
        return configuration
    }
}
