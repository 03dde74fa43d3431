/// Reads the `[profiles.NAME]` tables of the config file (TOML).
enum ConfigParser {
    /// The profiles in `text`, in the file's order; `.usage` naming `path:LINE` for anything malformed.
    static func profiles(in text: String, path: String, home: String?) throws -> [ConnectionProfile] {
        var profiles: [ConnectionProfile] = []
        var current: Int?
        var seen: Set<String> = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            func failure(_ reason: String) -> CacheError { CacheError(.usage, "\(path):\(number): \(reason)") }
            var scanner = TOMLLine(Substring(rawLine))
            scanner.skipSpace()
            if scanner.atEnd || scanner.peek == "#" { continue }
            if scanner.peek == "[" {
                scanner.advance()
                if scanner.peek == "[" { throw failure("arrays of tables are not used in the config file") }
                var parts: [String] = []
                repeat {
                    scanner.skipSpace()
                    guard let part = try scanner.key(failure) else { throw failure("a table name is missing") }
                    parts.append(part)
                    scanner.skipSpace()
                } while scanner.consume(".")
                guard scanner.consume("]") else { throw failure("a table header must end with ]") }
                try scanner.expectEnd(failure)
                guard parts.first == "profiles" else {
                    current = nil
                    seen = []
                    throw failure("unknown table [\(parts.joined(separator: "."))]: the config file holds [profiles.NAME] tables")
                }
                guard parts.count == 2 else { throw failure("a profile table is named [profiles.NAME]") }
                if profiles.contains(where: { $0.name == parts[1] }) { throw failure("profile \"\(parts[1])\" is defined twice") }
                profiles.append(ConnectionProfile(name: parts[1]))
                current = profiles.count - 1
                seen = []
                continue
            }
            guard let key = try scanner.key(failure) else { throw failure("expected key = value") }
            scanner.skipSpace()
            guard scanner.consume("=") else { throw failure("expected = after \"\(key)\"") }
            scanner.skipSpace()
            let value = try scanner.value(failure)
            try scanner.expectEnd(failure)
            guard let slot = current else { throw failure("\"\(key)\" stands outside a [profiles.NAME] table") }
            let name = profiles[slot].name
            guard ConnectionProfile.keys.contains(key) else {
                throw failure("profile \(name): unknown key \"\(key)\" (known: \(ConnectionProfile.keys.joined(separator: ", ")))")
            }
            guard seen.insert(key).inserted else { throw failure("profile \(name): \"\(key)\" is set twice") }
            if key == "timeout" {
                guard case .number(let seconds) = value, seconds > 0, seconds <= 86_400 else {
                    throw failure("profile \(name): timeout must be a number of seconds from 0 to 86400, e.g. 5 or 0.5")
                }
                profiles[slot].timeout = seconds
                continue
            }
            guard case .text(let text) = value else { throw failure("profile \(name): \(key) must be a string in quotes") }
            if ["tag_prefix", "stats_key", "sni", "url"].contains(key), text.isEmpty { throw failure("profile \(name): \(key) must not be empty") }
            profiles[slot].set(key, text: text, home: home)
        }
        return profiles
    }
}

/// A value of the TOML subset the config file uses.
private enum TOMLValue {
    case text(String)
    case number(Double)
    case boolean(Bool)
}

/// One line of TOML being read, character by character.
private struct TOMLLine {
    private let characters: [Character]
    private var index = 0

    init(_ line: Substring) {
        characters = Array(line.hasSuffix("\r") ? line.dropLast() : line)
    }

    var atEnd: Bool { index >= characters.count }
    var peek: Character? { atEnd ? nil : characters[index] }
    mutating func advance() { index += 1 }

    mutating func skipSpace() {
        while let character = peek, character == " " || character == "\t" { advance() }
    }

    mutating func consume(_ character: Character) -> Bool {
        guard peek == character else { return false }
        advance()
        return true
    }

    /// Only a comment may follow.
    mutating func expectEnd(_ failure: (String) -> CacheError) throws {
        skipSpace()
        guard atEnd || peek == "#" else { throw failure("unexpected \"\(String(characters[index...]))\" at the end of the line") }
    }

    /// A bare key (`A-Za-z0-9_-`) or a quoted one.
    mutating func key(_ failure: (String) -> CacheError) throws -> String? {
        if peek == "\"" || peek == "'" {
            guard case .text(let text) = try value(failure) else { return nil }
            return text
        }
        var key = ""
        while let character = peek, character.isASCII, character.isLetter || character.isNumber || character == "_" || character == "-" {
            key.append(character)
            advance()
        }
        return key.isEmpty ? nil : key
    }

    mutating func value(_ failure: (String) -> CacheError) throws -> TOMLValue {
        switch peek {
        case "\"":
            advance()
            if peek == "\"", index + 1 < characters.count, characters[index + 1] == "\"" {
                throw failure("multi-line strings are not used in the config file")
            }
            var text = ""
            while true {
                guard let character = peek else { throw failure("a string is not closed with \"") }
                advance()
                if character == "\"" { return .text(text) }
                guard character == "\\" else {
                    text.append(character)
                    continue
                }
                guard let escaped = peek else { throw failure("a string ends with a lone \\") }
                advance()
                switch escaped {
                case "\"": text.append("\"")
                case "\\": text.append("\\")
                case "n": text.append("\n")
                case "t": text.append("\t")
                case "r": text.append("\r")
                case "u", "U":
                    let length = escaped == "u" ? 4 : 8
                    guard index + length <= characters.count,
                          let code = UInt32(String(characters[index..<index + length]), radix: 16),
                          let scalar = Unicode.Scalar(code) else { throw failure("a bad \\\(escaped) escape") }
                    text.unicodeScalars.append(scalar)
                    index += length
                default: throw failure("unknown escape \\\(escaped) in a string")
                }
            }
        case "'":
            advance()
            var text = ""
            while true {
                guard let character = peek else { throw failure("a string is not closed with '") }
                advance()
                if character == "'" { return .text(text) }
                text.append(character)
            }
        default:
            var word = ""
            while let character = peek, character != " ", character != "\t", character != "#" {
                word.append(character)
                advance()
            }
            if word == "true" || word == "false" { return .boolean(word == "true") }
            if let number = Double(word.replacing("_", with: "")), number.isFinite { return .number(number) }
            throw failure(word.isEmpty ? "a value is missing" : "\"\(word)\" is not a TOML string, number or boolean")
        }
    }
}
