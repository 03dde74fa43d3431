/// User data (keys, tag names, file names, column names, URLs) as it may be shown to a person:
/// every character that is invisible or that a terminal would act on written as an escape.
///
/// The one escaping function for messages and text output: a key holding an ESC sequence cannot
/// repaint the terminal, a newline cannot break a table row, and a byte-order mark or a
/// zero-width space in a CSV header shows up as `\u{FEFF}` instead of nothing. JSON output keeps
/// the exact text; only text meant for people goes through here.
public enum DisplayText {
    /// `text` with control, format and separator characters escaped: `\n`, `\r`, `\t`, and
    /// `\u{1B}`-style escapes for the rest (C0 and C1 controls, DEL, byte-order marks, zero-width
    /// and bidirectional marks, line and paragraph separators, spaces other than U+0020 and U+3000).
    /// Applying it twice changes nothing more: its escapes are printable ASCII.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return out
    }

    /// `text` escaped and in double quotes, for quoting user data inside a message.
    public static func quoted(_ text: String) -> String { "\"" + escaped(text) + "\"" }

    /// Whether a scalar is escaped: invisible, or acted on by a terminal.
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) { return true }
        if scalar.value < 0x7F { return false }
        switch scalar.properties.generalCategory {
        case .format, .lineSeparator, .paragraphSeparator, .control, .surrogate, .privateUse, .unassigned:
            return true
        case .spaceSeparator:
            return scalar != " " && scalar != "\u{3000}"
        default:
            return false
        }
    }
}

extension String {
    /// This text as it may be shown to a person (`DisplayText.escaped`).
    public var displayEscaped: String { DisplayText.escaped(self) }
    /// This text escaped and in double quotes (`DisplayText.quoted`).
    public var displayQuoted: String { DisplayText.quoted(self) }
}
