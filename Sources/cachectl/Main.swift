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
        let arguments = ArgumentOrder.movingGlobalOptions(Array(CommandLine.arguments.dropFirst()))
        let jsonErrors = ArgumentOrder.wantsJSON(arguments)
        if let name = arguments.first, Interruption.commands.contains(name) { Interruption.install() }
        do {
            var command = try ArgumentOrder.leafCommand(arguments) ?? Cachectl.parseAsRoot(arguments)
            try command.run()
        } catch {
            ExitStatus.exit(with: error, json: jsonErrors)
        }
    }
}

/// Lets global options stand before the subcommand (`cachectl --url X get k`) by moving them
/// after the subcommand's name, where each subcommand's `GlobalOptions` parses them.
enum ArgumentOrder {
    static func movingGlobalOptions(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if GlobalOptions.valueOptions.contains(name) {
                leading.append(argument)
                if !argument.contains("="), index + 1 < arguments.count {
                    leading.append(arguments[index + 1])
                    index += 1
                }
            } else if GlobalOptions.flagOptions.contains(argument) {
                leading.append(argument)
            } else {
                break
            }
            index += 1
        }
        guard !leading.isEmpty, index < arguments.count else { return arguments }
        // Walk down the subcommand names so the options land after the deepest one.
        var command: ParsableCommand.Type = Cachectl.self
        var path: [String] = []
        while index < arguments.count,
              let sub = command.configuration.subcommands.first(where: { $0._commandName == arguments[index] }) {
            path.append(arguments[index])
            command = sub
            index += 1
        }
        guard !path.isEmpty else { return arguments }
        return path + leading + arguments[index...]
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
