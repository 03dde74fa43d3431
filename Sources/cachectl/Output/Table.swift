/// A plain-text table: a header row and aligned columns, numbers right-aligned.
struct Table {
    var headers: [String]
    var rows: [[String]]
    /// Columns whose cells are right-aligned (numbers).
    var numericColumns: Set<Int> = []

    func render(style: TextStyle) -> String {
        let widths = headers.indices.map { column in
            ([headers[column]] + rows.map { column < $0.count ? $0[column] : "" }).map(\.displayWidth).max() ?? 0
        }
        var out = ""
        func line(_ cells: [String], header: Bool) {
            var text = ""
            for (column, width) in widths.enumerated() {
                let cell = column < cells.count ? cells[column] : ""
                let pad = String(repeating: " ", count: max(0, width - cell.displayWidth))
                let last = column == widths.count - 1
                let aligned = numericColumns.contains(column) ? pad + cell : (last ? cell : cell + pad)
                text += (column == 0 ? "" : "  ") + aligned
            }
            out += (header ? style.bold(text) : text) + "\n"
        }
        line(headers, header: true)
        for row in rows { line(row, header: false) }
        return out
    }
}

/// Field/value pairs for one record, printed as two aligned columns.
struct FieldList {
    var fields: [(String, String)]

    func render(style: TextStyle) -> String {
        let width = fields.map(\.0.displayWidth).max() ?? 0
        return fields.map { name, value in
            style.dim(name + ":" + String(repeating: " ", count: width - name.displayWidth)) + " " + value
        }.joined(separator: "\n") + "\n"
    }
}

/// Whether color is used, decided once from the terminal, `--no-color` and `NO_COLOR`.
struct TextStyle: Sendable {
    var color: Bool

    func bold(_ text: String) -> String { color ? "\u{1B}[1m\(text)\u{1B}[0m" : text }
    func dim(_ text: String) -> String { color ? "\u{1B}[2m\(text)\u{1B}[0m" : text }
    func red(_ text: String) -> String { color ? "\u{1B}[31m\(text)\u{1B}[0m" : text }
    func green(_ text: String) -> String { color ? "\u{1B}[32m\(text)\u{1B}[0m" : text }
}

extension String {
    /// Columns on a terminal: two for each wide (East Asian) character, none for combining marks
    /// and for the color sequences of `TextStyle`, one for the rest.
    var displayWidth: Int {
        var width = 0
        var inEscape = false
        for character in self {
            guard let scalar = character.unicodeScalars.first else { continue }
            if inEscape {
                // A CSI sequence ends with a byte from @ to ~ (after the opening `[`).
                if scalar != "[", (0x40...0x7E).contains(scalar.value) { inEscape = false }
                continue
            }
            if scalar == "\u{1B}" {
                inEscape = true
                continue
            }
            width += Self.columns(of: scalar)
        }
        return width
    }

    /// The columns one character starting with `scalar` takes: Unicode's East Asian Wide and
    /// Fullwidth ranges (and emoji) take two.
    private static func columns(of scalar: Unicode.Scalar) -> Int {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        switch scalar.value {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x2E80...0x303E, 0x3041...0x33FF,
             0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF,
             0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF,
             0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }
}
