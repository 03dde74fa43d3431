import ArgumentParser
import CacheClient
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The one place errors become exit codes (see the EXIT STATUS table in `cachectl --help`).
enum ExitStatus {
    static let success: Int32 = 0
    static let failure: Int32 = 1
    static let usage: Int32 = 64
    static let badInput: Int32 = 65
    static let unreachable: Int32 = 69
    static let ioError: Int32 = 74
    static let busy: Int32 = 75
    static let authentication: Int32 = 77
    static let interruptedBySIGINT: Int32 = 130
    static let interruptedBySIGTERM: Int32 = 143

    /// The exit code of a library error.
    static func code(for kind: CacheError.Kind) -> Int32 {
        switch kind {
        case .usage: return usage
        case .badInput: return badInput
        case .unreachable, .unavailable: return unreachable
        case .io: return ioError
        case .busy, .temporary: return busy
        case .authentication, .permission: return authentication
        case .interrupted: return Interruption.exitCode
        case .failed: return failure
        }
    }

    /// Prints the error (as text, or as a JSON object on stderr in JSON mode) and exits.
    ///
    /// Every message goes through `DisplayText.escaped` line by line: what it quotes from the
    /// user (a key, a file name, an option typed with an ESC in it) cannot act on the terminal.
    static func exit(with error: Error, json: Bool) -> Never {
        let code: Int32
        let message: String
        switch error {
        case let error as CacheError:
            code = self.code(for: error.kind)
            message = error.description
        case let error as CommandFailure:
            code = error.code
            message = error.message
            if error.plain, !json {
                // The command's own wording, e.g. `assertion failed: hit_rate 72.50 >= 90`.
                if !message.isEmpty { Terminal.writeError(escaped(message) + "\n") }
                Glibc.exit(code)
            }
        default:
            let parserCode = Cachectl.exitCode(for: error).rawValue
            // Help, version and completion scripts are printed by the parser itself.
            guard parserCode != 0 else { Cachectl.exit(withError: error) }
            code = parserCode == 1 ? usage : parserCode
            guard json else {
                // The parser's wording and the command's usage lines.
                Terminal.writeError(escaped(Cachectl.fullMessage(for: error)) + "\n")
                Glibc.exit(code)
            }
            message = Cachectl.message(for: error)
        }
        if json {
            let object = ["error": ["code": AnyEncodable(Int(code)), "message": AnyEncodable(escaped(message))]]
            Terminal.writeError(JSONText.compact(object) + "\n")
        } else if !message.isEmpty {
            Terminal.writeError("cachectl: \(escaped(message))\n")
        }
        Glibc.exit(code)
    }

    /// Each line of a message escaped for the terminal, the line breaks kept.
    private static func escaped(_ message: String) -> String {
        message.split(separator: "\n", omittingEmptySubsequences: false).map { DisplayText.escaped(String($0)) }.joined(separator: "\n")
    }
}

/// A command's own verdict after it printed its result: an exit code and one line for stderr
/// (an assertion failed, keys were missing, some items failed).
struct CommandFailure: Error {
    let code: Int32
    let message: String
    /// Print the message as it is, without the `cachectl: ` prefix (one line per failure).
    var plain = false
}
