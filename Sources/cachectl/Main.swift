import ArgumentParser
import CacheClient
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Parses, runs, and turns every failure into one line and an exit code.
@main
enum Main {
    static func main() {
        // `--version` alone needs no parsing; answering it directly keeps it as fast as the process start.
        if CommandLine.arguments.count == 2, CommandLine.arguments[1] == "--version" {
            Terminal.write(Cachectl.configuration.version + "\n")
            return
        }
        let given = Array(CommandLine.arguments.dropFirst())
        let arguments = ArgumentOrder.movingGlobalOptions(given)
        let jsonErrors = ArgumentOrder.wantsJSON(given)
        if let name = arguments.first, Interruption.commands.contains(name) { Interruption.install() }
        do {
            if arguments.isEmpty, !given.isEmpty {
                throw CacheError(.usage, "Name a subcommand after the options, e.g. cachectl --url redis://127.0.0.1:6379 ping",
                                 hint: "cachectl --help lists them")
            }
            var command = try QuickParse.command(arguments) ?? ArgumentOrder.leafCommand(arguments) ?? Cachectl.parseAsRoot(arguments)
            try command.run()
        } catch {
            ExitStatus.exit(with: error, json: jsonErrors)
        }
    }
}

/// Lets global options stand before the subcommand (`cachectl --url X get k`) by moving them
/// after the subcommand's name, where each subcommand's `GlobalOptions` parses them.
enum ArgumentOrder {
    /// Moves every option that stands before the subcommand's name to after it: the global ones
    /// so the subcommand parses them, and any other (a typo such as `--bogus`) so the parser
    /// names that option, with the subcommand's usage. Without a subcommand name the global
    /// options are dropped instead, so the root parser's error is about what is left.
    static func movingGlobalOptions(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            guard argument.hasPrefix("-"), argument != "-", argument != "--" else { break }
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            leading.append(argument)
            if GlobalOptions.valueOptions.contains(name) {
                if !argument.contains("="), index + 1 < arguments.count {
                    leading.append(arguments[index + 1])
                    index += 1
                }
            }
            index += 1
        }
        guard !leading.isEmpty else { return arguments }
        // Walk down the subcommand names so the options land after the deepest one.
        var command: ParsableCommand.Type = Cachectl.self
        var path: [String] = []
        while index < arguments.count,
              let sub = command.configuration.subcommands.first(where: { $0._commandName == arguments[index] }) {
            path.append(arguments[index])
            command = sub
            index += 1
        }
        guard path.isEmpty else { return path + leading + arguments[index...] }
        return withoutGlobalOptions(leading) + arguments[index...]
    }

    /// `arguments` without the global options and their values.
    private static func withoutGlobalOptions(_ arguments: [String]) -> [String] {
        var kept: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if GlobalOptions.valueOptions.contains(name) {
                if !argument.contains("=") { index += 1 }
            } else if !GlobalOptions.flagOptions.contains(argument) {
                kept.append(argument)
            }
            index += 1
        }
        return kept
    }

    /// Parses a plain invocation (`get k --url …`) with only its own command's parser: building the
    /// whole command tree and checking for completion-script requests costs more than the
    /// command itself at start-up. Help, completion and anything that fails here go through
    /// the full parser, which prints the messages with the complete command path.
    static func leafCommand(_ arguments: [String]) -> ParsableCommand? {
        guard let name = arguments.first,
              let type = Cachectl.configuration.subcommands.first(where: { $0._commandName == name }),
              type.configuration.subcommands.isEmpty,
              !arguments.contains(where: { $0 == "--help" || $0 == "-h" || $0.hasPrefix("--generate-completion") || $0.hasPrefix("--experimental") }) else {
            return nil
        }
        return try? type.parse(Array(arguments.dropFirst()))
    }

    static func wantsJSON(_ arguments: [String]) -> Bool {
        for (index, argument) in arguments.enumerated() {
            if argument == "--" { break }
            if argument == "--format=json" || argument == "--format=jsonl" { return true }
            if argument == "--format", index + 1 < arguments.count, ["json", "jsonl"].contains(arguments[index + 1]) { return true }
        }
        return false
    }
}
