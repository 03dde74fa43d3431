import ArgumentParser

/// Plain invocations of the one-key commands (`get article:1 --url …`, `set k v --ttl 60`, `delete k`,
/// `stats`, `ping`) and of `invalidate-tag` (an application's deploy hook runs it per tag), read
/// without building the argument parser's definitions of the command.
///
/// Those definitions are built by reflecting over the command's properties, with a search through
/// every protocol conformance of the program for each property type: about 10 M instructions, twice
/// what `redis-cli GET` needs in all, for commands scripts run in loops. Here each command names its
/// options once more (`QuickCommand`), and only the plain forms are read: `--name value` and
/// `--name=value`, the short flags alone (`-q`, `-v`), operands that don't start with `-`, a
/// single-valued option or a flag at most once. Everything else — `--help`, `--`, `-qv`, a value that
/// starts with `-`, an unknown option, a value that does not convert, a `validate()` that throws —
/// returns nil, and the argument parser reads the arguments and names the problem itself.
///
/// QuickParseTests holds every command built here against the argument parser's on the same
/// arguments, and checks that each command sets all its properties (a property added to a command
/// and not here fails that test, not a user's command).
enum QuickParse {
    /// The command for `arguments` (subcommand name first, global options already after it), or
    /// nil when the argument parser must read them.
    static func command(_ arguments: [String]) -> ParsableCommand? {
        guard let name = arguments.first, let type = commands[name] else { return nil }
        return try? type.quick(arguments.dropFirst())
    }

    /// The commands read here, by name.
    static let commands: [String: any QuickCommand.Type] = [
        "get": Cachectl.Get.self, "set": Cachectl.SetEntry.self, "delete": Cachectl.Delete.self,
        "stats": Cachectl.Stats.self, "ping": Cachectl.Ping.self, "invalidate-tag": Cachectl.InvalidateTag.self,
    ]

    /// Thrown for anything outside the plain forms; never shown (the argument parser takes over).
    struct Unsupported: Error {}
}

/// A command `QuickParse` reads: its own options, and how it is built from them.
protocol QuickCommand: ParsableCommand {
    /// The options besides the global ones.
    static var quickOptions: QuickOptions { get }
    /// The command from `arguments`, every property set (the argument parser's defaults where an
    /// option is absent) and `validate()` passed.
    init(quick arguments: QuickArguments) throws
}

extension QuickCommand {
    static func quick(_ arguments: ArraySlice<String>) throws -> ParsableCommand {
        var command = try Self(quick: QuickArguments(arguments, options: GlobalOptions.quickOptions.adding(quickOptions)))
        try command.validate()
        return command
    }
}

/// Option names by kind; a short flag maps to its long name.
struct QuickOptions {
    var values: Set<String> = []
    var repeatable: Set<String> = []
    var flags: [String: String] = [:]

    init(values: Set<String> = [], repeatable: Set<String> = [], flags: [String] = [], shortFlags: [String: String] = [:]) {
        self.values = values
        self.repeatable = repeatable
        self.flags = shortFlags
        for flag in flags { self.flags[flag] = flag }
    }

    func adding(_ other: QuickOptions) -> QuickOptions {
        var sum = self
        sum.values.formUnion(other.values)
        sum.repeatable.formUnion(other.repeatable)
        sum.flags.merge(other.flags) { first, _ in first }
        return sum
    }
}

/// The arguments after the subcommand's name, sorted into options (by long name) and operands.
struct QuickArguments {
    private var given: [String: [String]] = [:]
    private(set) var operands: [String] = []

    init(_ arguments: ArraySlice<String>, options: QuickOptions) throws {
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("-") else {
                operands.append(argument)
                continue
            }
            if let flag = options.flags[argument] {
                try add(flag, "", repeatable: false)
                continue
            }
            let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            guard options.values.contains(name) || options.repeatable.contains(name) else { throw QuickParse.Unsupported() }
            let value: String
            if parts.count == 2 {
                value = String(parts[1])
            } else {
                guard index < arguments.endIndex else { throw QuickParse.Unsupported() }
                value = arguments[index]
                index += 1
            }
            guard !value.isEmpty, !value.hasPrefix("-") else { throw QuickParse.Unsupported() }
            try add(name, value, repeatable: options.repeatable.contains(name))
        }
    }

    private mutating func add(_ name: String, _ value: String, repeatable: Bool) throws {
        guard repeatable || given[name] == nil else { throw QuickParse.Unsupported() }
        given[name, default: []].append(value)
    }

    func flag(_ name: String) -> Bool { given[name] != nil }

    func value(_ name: String) -> String? { given[name]?.first }

    /// The option's value converted as the argument parser converts it (`ExpressibleByArgument`).
    func value<Value>(_ name: String, as convert: (String) -> Value?) throws -> Value? {
        guard let text = given[name]?.first else { return nil }
        guard let value = convert(text) else { throw QuickParse.Unsupported() }
        return value
    }

    func values(_ name: String) -> [String] { given[name] ?? [] }

    /// The operands, when there are between `range`'s bounds of them.
    func operands(_ range: ClosedRange<Int>) throws -> [String] {
        guard range.contains(operands.count) else { throw QuickParse.Unsupported() }
        return operands
    }
}

extension GlobalOptions {
    static let quickOptions = QuickOptions(values: valueOptions, flags: ["--quiet", "--verbose", "--no-color", "--insecure"],
                                           shortFlags: ["-q": "--quiet", "-v": "--verbose"])

    init(quick arguments: QuickArguments) throws {
        self.init()
        url = arguments.value("--url")
        profile = arguments.value("--profile")
        config = arguments.value("--config")
        user = arguments.value("--user")
        passwordFile = arguments.value("--password-file")
        cacert = arguments.value("--cacert")
        cacertdir = arguments.value("--cacertdir")
        cert = arguments.value("--cert")
        key = arguments.value("--key")
        sni = arguments.value("--sni")
        insecure = arguments.flag("--insecure")
        format = try arguments.value("--format", as: OutputFormat.init(argument:)) ?? .table
        timeout = try arguments.value("--timeout", as: Double.init(argument:))
        quiet = arguments.flag("--quiet")
        verbose = arguments.flag("--verbose")
        noColor = arguments.flag("--no-color")
        keyPrefix = arguments.value("--key-prefix")
        tagPrefix = arguments.value("--tag-prefix")
        statsKey = arguments.value("--stats-key")
        layout = arguments.value("--layout")
        namespace = arguments.value("--namespace")
        cacheVersion = try arguments.value("--cache-version", as: Int.init(argument:))
        try validate()
    }
}

extension ReplicaWaitOptions {
    static let quickOptions = QuickOptions(values: ["--wait-replicas", "--wait-timeout"])

    init(quick arguments: QuickArguments) throws {
        self.init()
        waitReplicas = try arguments.value("--wait-replicas", as: Int.init(argument:))
        waitTimeout = try arguments.value("--wait-timeout", as: DurationArgument.init(argument:))
        try validate()
    }
}

extension Cachectl.Get: QuickCommand {
    static let quickOptions = QuickOptions(repeatable: ["--tag"], flags: ["--raw"])

    init(quick arguments: QuickArguments) throws {
        self.init()
        global = try GlobalOptions(quick: arguments)
        keys = try arguments.operands(1...Int.max)
        raw = arguments.flag("--raw")
        tags = arguments.values("--tag")
    }
}

extension Cachectl.SetEntry: QuickCommand {
    static let quickOptions = QuickOptions(values: ["--file", "--ttl"], repeatable: ["--tag"], flags: ["--if-absent", "--json", "--force"])
        .adding(ReplicaWaitOptions.quickOptions)

    init(quick arguments: QuickArguments) throws {
        self.init()
        global = try GlobalOptions(quick: arguments)
        let operands = try arguments.operands(1...2)
        key = operands[0]
        value = operands.count == 2 ? operands[1] : nil
        file = arguments.value("--file")
        ttl = try arguments.value("--ttl", as: TTLArgument.init(argument:))
        tags = arguments.values("--tag")
        ifAbsent = arguments.flag("--if-absent")
        json = arguments.flag("--json")
        force = arguments.flag("--force")
        replicas = try ReplicaWaitOptions(quick: arguments)
    }
}

extension Cachectl.Delete: QuickCommand {
    static let quickOptions = ReplicaWaitOptions.quickOptions

    init(quick arguments: QuickArguments) throws {
        self.init()
        global = try GlobalOptions(quick: arguments)
        keys = try arguments.operands(1...Int.max)
        replicas = try ReplicaWaitOptions(quick: arguments)
    }
}

extension Cachectl.Stats: QuickCommand {
    static let quickOptions = QuickOptions(values: ["--window", "--watch", "--count"], repeatable: ["--assert"],
                                           flags: ["--reset", "--server", "--yes", "--per-node"])

    init(quick arguments: QuickArguments) throws {
        self.init()
        global = try GlobalOptions(quick: arguments)
        _ = try arguments.operands(0...0)
        window = try arguments.value("--window", as: DurationArgument.init(argument:))
        assertions = arguments.values("--assert")
        reset = arguments.flag("--reset")
        server = arguments.flag("--server")
        yes = arguments.flag("--yes")
        watch = try arguments.value("--watch", as: DurationArgument.init(argument:))
        count = try arguments.value("--count", as: Int.init(argument:))
        perNode = arguments.flag("--per-node")
    }
}

extension Cachectl.Ping: QuickCommand {
    static let quickOptions = QuickOptions()

    init(quick arguments: QuickArguments) throws {
        self.init()
        global = try GlobalOptions(quick: arguments)
        _ = try arguments.operands(0...0)
    }
}

extension Cachectl.InvalidateTag: QuickCommand {
    static let quickOptions = QuickOptions(values: ["--limit"], flags: ["--dry-run"])

    init(quick arguments: QuickArguments) throws {
        self.init()
        global = try GlobalOptions(quick: arguments)
        tags = try arguments.operands(1...Int.max)
        dryRun = arguments.flag("--dry-run")
        limit = try arguments.value("--limit", as: Int.init(argument:)) ?? 100
    }
}
