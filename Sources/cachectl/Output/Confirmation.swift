import CacheClient
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Asks a person at the terminal before something destructive happens.
enum Confirmation {
    /// Writes `question` and ` [y/N] ` on stderr and reads one line from stdin; only `y` or `yes` agree.
    static func ask(_ question: String) -> Bool {
        Terminal.writeError(question.displayEscaped + " [y/N] ")
        guard let answer = readLine(strippingNewline: true) else {
            Terminal.writeError("\n")
            return false
        }
        return ["y", "yes"].contains(answer.trimmingWhitespace().lowercased())
    }
}

/// Lists of keys in dry-run reports: the first few, then how many more.
enum KeyList {
    static func text(_ keys: [String], types: [String]? = nil, total: Int, indent: String = "  ") -> String {
        var out: String
        if let types, types.count == keys.count {
            let width = types.map(\.count).max() ?? 0
            out = zip(keys, types).map { key, type in
                indent + type + String(repeating: " ", count: width - type.count) + "  " + key.displayEscaped + "\n"
            }.joined()
        } else {
            out = keys.map { indent + $0.displayEscaped + "\n" }.joined()
        }
        if total > keys.count { out += indent + "… and \(Human.count(Int64(total - keys.count))) more\n" }
        return out
    }
}
