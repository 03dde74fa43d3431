import CacheClient

/// A command's result, printable in every format the command supports.
protocol Renderable: Encodable {
    /// The formats this result can be printed in.
    static var formats: [OutputFormat] { get }
    /// Text for people: a table or field list.
    func text(style: TextStyle) -> String
    /// One JSON object per line, for `--format jsonl`.
    func jsonLines() -> [String]
    /// Prometheus exposition text, for `--format prometheus`.
    func prometheus() -> String
}

extension Renderable {
    static var formats: [OutputFormat] { [.table, .json] }
    func jsonLines() -> [String] { [JSONText.compact(Versioned(value: self))] }
    func prometheus() -> String { "" }
}

/// The one renderer: chooses the formatter for the format and writes the result to stdout.
struct Renderer {
    let format: OutputFormat
    let style: TextStyle

    /// Fails with a usage error when the command cannot print in the chosen format.
    func check<R: Renderable>(_ type: R.Type, command: String) throws {
        guard R.formats.contains(format) else {
            throw CacheError(.usage, "--format \(format.rawValue) is not available for \(command)",
                             hint: "use " + R.formats.map(\.rawValue).joined(separator: ", "))
        }
    }

    func render<R: Renderable>(_ result: R) {
        switch format {
        case .table: Terminal.write(result.text(style: style))
        case .json: Terminal.write(JSONText.pretty(Versioned(value: result)) + "\n")
        case .jsonl:
            let lines = result.jsonLines()
            if !lines.isEmpty { Terminal.write(lines.joined(separator: "\n") + "\n") }
        case .prometheus: Terminal.write(result.prometheus())
        }
    }

    /// One line per result, for a stream of samples: the text line, or compact JSON for json/jsonl.
    func renderLine<R: Renderable & LineRenderable>(_ result: R) {
        switch format {
        case .json, .jsonl: Terminal.write(JSONText.compact(Versioned(value: result)) + "\n")
        default: Terminal.write(result.line())
        }
    }
}

/// A result that also has a one-line text form, for streams (`stats --watch`).
protocol LineRenderable {
    func line() -> String
}
