import ArgumentParser
import CacheClient

extension Cachectl {
    struct Ping: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ping",
            abstract: "Check the backend: connect, time one round trip, show server version and role.",
            discussion: """
                The first thing to run when something is wrong: exit 69 means unreachable, 77 means \
                the password was refused, 65 means the snapshot file is damaged or foreign.

                Examples:
                  cachectl ping
                  cachectl ping --url redis://cache-1:6379/2 --password-file /run/secrets/redis
                """).underCachectl

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let context = Context(global)
            try context.renderer.check(PingResult.self, command: "ping")
            let backend = try context.openBackend()
            context.renderer.render(PingResult(report: try backend.ping()))
        }
    }
}

/// The answer to `ping`.
struct PingResult: Renderable {
    let report: PingReport

    private enum Keys: String, CodingKey { case backend, endpoint, latency, version, role }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(report.backend, forKey: .backend)
        try container.encode(report.endpoint, forKey: .endpoint)
        try container.encode(report.latency, forKey: .latency)
        try container.encode(Nullable(report.version), forKey: .version)
        try container.encode(Nullable(report.role), forKey: .role)
    }

    func text(style: TextStyle) -> String {
        var line = "\(style.green("PONG")) \(report.endpoint.displayEscaped) in \(Human.duration(report.latency))"
        if let version = report.version { line += report.backend == "redis" ? ", redis \(version)" : ", \(version)" }
        if let role = report.role { line += ", \(role)" }
        return line + "\n"
    }
}
