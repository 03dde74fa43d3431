import ArgumentParser

/// The root command: configuration only; each subcommand lives in Commands/.
struct Cachectl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cachectl",
        abstract: "Administer application caches in Redis or a local snapshot file.",
        discussion: Manual.discussion,
        version: "0.1.0",
        subcommands: [Get.self, SetEntry.self, Delete.self, Ping.self, Stats.self, InvalidateTag.self, Tags.self, Flush.self,
                      Migrate.self, Warmup.self]
    )
}
