import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// A stats report as Prometheus exposition text (format 0.0.4) for node-exporter's textfile
/// collector: `cachectl_` names, counters as `_total` from the cumulative sample (they must only
/// go up), gauges otherwise, `source="app"|"server"` where both sources report the same figure.
public enum StatsExposition {
    /// The exposition text, ending with a newline; with `nodes` (`stats --per-node`) also each
    /// node's figures, labelled `node="host:port"`.
    public static func text(_ report: StatsReport, nodes: [NodeStatus] = []) -> String {
        var writer = Writer()
        let total = report.cumulative
        let server = total.server
        writer.family("cachectl_hits_total", "counter", "Cache reads that found their entry, by source.", [
            (["source": "app"], Double(total.app.hits)),
        ] + (server?.hits.map { [(["source": "server"], Double($0))] } ?? []))
        writer.family("cachectl_misses_total", "counter", "Cache reads that found nothing, by source.", [
            (["source": "app"], Double(total.app.misses)),
        ] + (server?.misses.map { [(["source": "server"], Double($0))] } ?? []))
        writer.family("cachectl_hit_rate_percent", "gauge",
                      "Percent of reads that hit, by source" + (report.window.map { " (over the last \(formatNumber($0)) s)" } ?? "") + ".",
                      (report.appHitRate.map { [(["source": "app"], $0)] } ?? [])
                        + (report.serverHitRate.map { [(["source": "server"], $0)] } ?? []))
        writer.family("cachectl_sets_total", "counter", "Entries written (app counters).", [([:], Double(total.app.sets))])
        writer.family("cachectl_deletes_total", "counter", "Entries deleted (app counters).", [([:], Double(total.app.deletes))])
        writer.family("cachectl_tag_invalidations_total", "counter", "Tags invalidated (app counters).",
                      [([:], Double(total.app.tagInvalidations))])
        if let server {
            writer.family("cachectl_expired_keys_total", "counter", "Keys the server expired.", server.expiredKeys.map { [([:], Double($0))] } ?? [])
            writer.family("cachectl_evicted_keys_total", "counter", "Keys the server evicted for memory.", server.evictedKeys.map { [([:], Double($0))] } ?? [])
            writer.family("cachectl_commands_total", "counter", "Commands the server processed.", server.totalCommands.map { [([:], Double($0))] } ?? [])
            writer.family("cachectl_connected_clients", "gauge", "Clients connected to the server.", server.connectedClients.map { [([:], Double($0))] } ?? [])
            writer.family("cachectl_uptime_seconds", "gauge", "Seconds since the server started.", server.uptimeSeconds.map { [([:], Double($0))] } ?? [])
        }
        writer.family("cachectl_entries", "gauge", "Live entries (under the key prefix when one is set).", [([:], Double(total.entries))])
        writer.family("cachectl_tags", "gauge", "Tag index sets.", [([:], Double(total.tags))])
        writer.family("cachectl_memory_bytes", "gauge", "Server used memory, or the snapshot file's size.",
                      total.memoryBytes.map { [([:], Double($0))] } ?? [])
        writer.family("cachectl_ping_latency_seconds", "gauge", "Seconds for one round trip.", [([:], total.pingLatency)])
        var info = ["backend": total.backend, "endpoint": total.endpoint]
        if let version = server?.version { info["version"] = version }
        if let role = server?.role { info["role"] = role }
        writer.family("cachectl_info", "gauge", "The backend described by the labels; always 1.", [(info, 1)])
        if !nodes.isEmpty { nodeFamilies(nodes, into: &writer) }
        return writer.out
    }

    /// `cachectl_node_*`: one sample per node that answered, labelled by its address.
    private static func nodeFamilies(_ nodes: [NodeStatus], into writer: inout Writer) {
        func samples(_ value: (NodeStatus) -> Int64?) -> [([String: String], Double)] {
            nodes.compactMap { node in value(node).map { (["node": node.address], Double($0)) } }
        }
        writer.family("cachectl_node_info", "gauge", "A node of the backend and its role (master, slave, unreachable); always 1.",
                      nodes.map { (["node": $0.address, "role": $0.role], 1) })
        writer.family("cachectl_node_keys", "gauge", "Keys on the node (DBSIZE: every key, not only the cache's).", samples(\.keys))
        writer.family("cachectl_node_memory_bytes", "gauge", "The node's used memory.", samples { $0.statistics?.usedMemory })
        writer.family("cachectl_node_hits_total", "counter", "Keyspace hits on the node since it started.", samples { $0.statistics?.hits })
        writer.family("cachectl_node_misses_total", "counter", "Keyspace misses on the node since it started.", samples { $0.statistics?.misses })
        writer.family("cachectl_node_ops_per_second", "gauge", "Commands per second, the node's own recent estimate.",
                      samples { $0.statistics?.instantaneousOpsPerSecond })
    }

    private struct Writer {
        var out = ""

        mutating func family(_ name: String, _ type: String, _ help: String, _ samples: [([String: String], Double)]) {
            guard !samples.isEmpty else { return }
            out += "# HELP \(name) \(escapeHelp(help))\n# TYPE \(name) \(type)\n"
            for (labels, value) in samples {
                out += name
                if !labels.isEmpty {
                    out += "{" + labels.sorted(by: { $0.key < $1.key })
                        .map { "\($0.key)=\"\(escapeLabel($0.value))\"" }.joined(separator: ",") + "}"
                }
                out += " " + formatNumber(value) + "\n"
            }
        }

        private func escapeHelp(_ text: String) -> String {
            text.replacingScalar("\\", with: "\\\\").replacingScalar("\n", with: "\\n")
        }

        private func escapeLabel(_ text: String) -> String {
            escapeHelp(text).replacingScalar("\"", with: "\\\"")
        }
    }
}
