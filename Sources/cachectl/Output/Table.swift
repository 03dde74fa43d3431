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
    /// Columns on a terminal: one per character (wide CJK glyphs are rare in cache keys).
    var displayWidth: Int { count }
}
