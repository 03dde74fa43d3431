/// A horizontal bar chart of percentages: Unicode blocks in eighths on a UTF-8 terminal with
/// color, `#` otherwise (`--no-color`, `NO_COLOR`, a pipe, a non-UTF-8 locale).
struct BarChart {
    var bars: [(label: String, percent: Double, note: String)]
    /// Columns of a 100% bar.
    var width = 40

    func render(style: TextStyle, unicode: Bool) -> String {
        let labelWidth = bars.map(\.label.displayWidth).max() ?? 0
        var out = ""
        for bar in bars {
            let eighths = Int((min(100, max(0, bar.percent)) / 100 * Double(width) * 8).rounded())
            var drawn: String
            if unicode {
                drawn = String(repeating: "█", count: eighths / 8)
                let partial = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"][eighths % 8]
                drawn += partial
                if drawn.isEmpty, bar.percent > 0 { drawn = "▏" }
            } else {
                drawn = String(repeating: "#", count: (eighths + 4) / 8)
                if drawn.isEmpty, bar.percent > 0 { drawn = "." }
            }
            let padding = String(repeating: " ", count: max(0, width + 1 - drawn.count))
            let label = bar.label + String(repeating: " ", count: labelWidth - bar.label.displayWidth)
            out += label + "  " + style.cyan(drawn) + padding + " " + bar.note + "\n"
        }
        return out
    }

    /// Whether the locale's character set is UTF-8 (LC_ALL, else LC_CTYPE, else LANG).
    static func utf8Locale(_ environment: [String: String]) -> Bool {
        let name = ["LC_ALL", "LC_CTYPE", "LANG"].lazy.compactMap { environment[$0] }.first { !$0.isEmpty } ?? ""
        let lowered = name.lowercased()
        return lowered.contains("utf-8") || lowered.contains("utf8")
    }
}

extension TextStyle {
    func cyan(_ text: String) -> String { color ? "\u{1B}[36m\(text)\u{1B}[0m" : text }
}
