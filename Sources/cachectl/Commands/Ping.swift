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

    private enum Keys: String, CodingKey { case backend, endpoint, latency, version, role, nodes }
    private enum NodeKeys: String, CodingKey { case address, role, latency, version, slots }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(report.backend, forKey: .backend)
        try container.encode(report.endpoint, forKey: .endpoint)
        try container.encode(report.latency, forKey: .latency)
        try container.encode(Nullable(report.version), forKey: .version)
        try container.encode(Nullable(report.role), forKey: .role)
        guard !report.nodes.isEmpty else { return }
        var nodes = container.nestedUnkeyedContainer(forKey: .nodes)
        for node in report.nodes {
            var item = nodes.nestedContainer(keyedBy: NodeKeys.self)
            try item.encode(node.address, forKey: .address)
            try item.encode(node.role, forKey: .role)
            try item.encode(Nullable(node.latency), forKey: .latency)
            try item.encode(Nullable(node.version), forKey: .version)
            try item.encode(node.slots, forKey: .slots)
        }
    }

    func text(style: TextStyle) -> String {
        var line = "\(style.green("PONG")) \(report.endpoint.displayEscaped) in \(Human.duration(report.latency))"
        if let version = report.version { line += report.backend == "redis" ? ", redis \(version)" : ", \(version)" }
        if let role = report.role { line += ", \(role)" }
        line += "\n"
        guard !report.nodes.isEmpty else { return line }
        let rows = report.nodes.map { node -> [String] in
            let slots = node.slots.map { $0[0] == $0[1] ? "\($0[0])" : "\($0[0])-\($0[1])" }.joined(separator: ",")
            return [node.address, node.role, node.latency.map(Human.duration) ?? "-", slots]
        }
        return line + Table(headers: ["NODE", "ROLE", "LATENCY", "SLOTS"], rows: rows).render(style: style)
    }
}
