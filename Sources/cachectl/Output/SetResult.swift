import ArgumentParser
import CacheClient
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// What `set` wrote.
struct SetResult: Renderable {
    let entry: Entry
    let written: Bool

    private enum Keys: String, CodingKey { case key, written, ttl, tags, size }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(entry.key, forKey: .key)
        try container.encode(written, forKey: .written)
        try container.encode(Nullable(entry.expiry.seconds), forKey: .ttl)
        try container.encode(entry.tags ?? [], forKey: .tags)
        try container.encode(entry.value.count, forKey: .size)
    }

    func text(style: TextStyle) -> String {
        guard written else { return "not written: \(entry.key.displayQuoted) exists (--if-absent)\n" }
        var details = ["ttl \(Human.ttl(entry.expiry))", Human.bytes(Int64(entry.value.count))]
        if let tags = entry.tags, !tags.isEmpty { details.append("tags " + tags.map(\.displayEscaped).joined(separator: ", ")) }
        return "\(style.green("OK")) \(entry.key.displayEscaped) (\(details.joined(separator: ", ")))\n"
    }
}
