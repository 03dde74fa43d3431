import ArgumentParser
import CacheClient
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// What `warmup` did: one summary line, or the report as JSON.
struct WarmupResult: Renderable {
    let report: WarmupReport

    private enum Keys: String, CodingKey {
        case written, skipped, failed, invalid, notAttempted = "not_attempted", total, seconds
        case entriesPerSecond = "entries_per_second", source, endpoint, stopped, errors
        case serverRestarted = "server_restarted", notes, retries
        case unacknowledged, waitReplicas = "wait_replicas", fewestReplicas = "fewest_replicas"
    }
    private enum IssueKeys: String, CodingKey { case line, key, reason }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(report.written, forKey: .written)
        try container.encode(report.skipped, forKey: .skipped)
        try container.encode(report.failed, forKey: .failed)
        try container.encode(report.invalid, forKey: .invalid)
        try container.encode(report.notAttempted, forKey: .notAttempted)
        try container.encode(report.total, forKey: .total)
        try container.encode(report.seconds, forKey: .seconds)
        try container.encode(report.entriesPerSecond, forKey: .entriesPerSecond)
        try container.encode(report.source, forKey: .source)
        try container.encode(report.endpoint, forKey: .endpoint)
        try container.encode(report.retries, forKey: .retries)
        try container.encode(report.unacknowledged, forKey: .unacknowledged)
        try container.encode(Nullable(report.replicasAsked), forKey: .waitReplicas)
        try container.encode(Nullable(report.fewestReplicas), forKey: .fewestReplicas)
        let stopped: String? = switch report.stop {
        case .invalidInput: "invalid_input"
        case .maxDuration: "max_duration"
        case .unreachable: "unreachable"
        case .refused: "refused"
        case .interrupted: "interrupted"
        case nil: nil
        }
        try container.encode(Nullable(stopped), forKey: .stopped)
        try container.encode(report.serverRestarted, forKey: .serverRestarted)
        try container.encode(report.notes, forKey: .notes)
        var errors = container.nestedUnkeyedContainer(forKey: .errors)
        for issue in report.issues {
            var item = errors.nestedContainer(keyedBy: IssueKeys.self)
            try item.encode(Nullable(issue.line), forKey: .line)
            try item.encodeIfPresent(issue.key, forKey: .key)
            try item.encode(issue.reason, forKey: .reason)
        }
    }

    func text(style: TextStyle) -> String {
        var parts = ["written \(Human.count(Int64(report.written)))", "skipped \(Human.count(Int64(report.skipped)))",
                     "failed \(Human.count(Int64(report.failed)))"]
        if report.invalid > 0 { parts.append("invalid \(Human.count(Int64(report.invalid)))") }
        if report.notAttempted > 0 { parts.append("not attempted \(Human.count(Int64(report.notAttempted)))") }
        if report.unacknowledged > 0 { parts.append("not acknowledged \(Human.count(Int64(report.unacknowledged)))") }
        if report.retries > 0 { parts.append("retried \(Human.count(Int64(report.retries))) commands") }
        let rate = Human.count(Int64(report.entriesPerSecond.rounded()))
        return "warmup: " + parts.joined(separator: ", ") + " in \(Human.fixed(report.seconds, 2)) s" + " (\(rate) entries/s)\n"
    }
}

extension WarmupReport {
    /// "N entries written but not acknowledged by R replicas …" for the exit message.
    var unacknowledgedSentence: String {
        let asked = replicasAsked ?? 0
        return "\(unacknowledged) of \(written) written entries were not acknowledged by \(asked) replica\(asked == 1 ? "" : "s") in time"
            + (fewestReplicas.map { " (the fewest acknowledging: \($0))" } ?? "")
            + ": they are on the primary, but a failover could lose them"
    }
}
