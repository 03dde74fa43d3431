import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// One server a key scan walks: a plain server, or a primary of a cluster or Sentinel setup.
struct KeyScanNode {
    /// How errors name it: the endpoint of a plain server, the address of a primary.
    let name: String
    let connection: RedisConnection
}

/// A Redis backend whose keys `keys` and `usage` walk, on one server or on every primary of a
/// topology: SCAN with a large COUNT (never KEYS), and per page one pipeline of TYPE, PTTL and
/// MEMORY USAGE per key. The next page's SCAN rides at the head of each pipeline, so the next
/// page is sent before this page's replies are read and the server works while the client parses.
protocol RedisKeyWalking: KeyScanning, RedisKeyspace {
    /// The servers a scan walks, each once: never a replica, which holds the same keys again.
    func keyScanNodes() throws -> [KeyScanNode]
    /// A reader of this backend's tag sets.
    func tagSetReader() -> RedisEntrySource
}

extension RedisKeyWalking {
    /// Keys per SCAN step and per sampling round trip.
    static var keyPageSize: Int { 1000 }

    public func keyCount() throws -> Int64 {
        try keyScanNodes().reduce(0) { $0 + (try sizeOfDatabase(on: $1)) }
    }

    /// DBSIZE of one server.
    func sizeOfDatabase(on node: KeyScanNode) throws -> Int64 {
        try checked(try node.connection.send("DBSIZE"), context: "Cannot read DBSIZE at \(node.name)", node: node).integer ?? 0
    }

    func checked(_ reply: RESPValue, context: String, node: KeyScanNode) throws -> RESPValue {
        guard let error = RedisErrorReply(reply) else { return reply }
        throw error.cacheError(context: context, endpoint: node.name)
    }

    public var samplesKeys: Bool { true }

    public func keyTypes(_ keys: [KeyInfo]) throws -> [String?] {
        var types: [String?] = []
        let prefix = Array(configuration.keyPrefix.utf8)
        for chunk in keys.chunks(of: Self.keyPageSize) {
            // Every key a scan describes lies under the key prefix (SCAN MATCH).
            let commands: [[RedisArgument]] = chunk.map { ["TYPE", RedisArgument(bytes: prefix + ($0.keyBytes ?? Array($0.key.utf8)))] }
            for (info, reply) in zip(chunk, try keyPipeline(commands)) {
                let key = info.key
                if let error = RedisErrorReply(reply) { throw error.cacheError(context: "Cannot read the type of \"\(key)\"", endpoint: endpointDescription) }
                let type = reply.string
                types.append(type == "none" ? nil : type)
            }
        }
        return types
    }

    public func scanKeys(_ filter: KeyFilter, details: KeyDetails, shouldStop: () -> Bool, scanned: (Int) -> Void,
                         _ body: ([KeyInfo]) throws -> Void) throws {
        try filter.validate()
        let tags = details.contains(.tags) ? try tagsByKey() : nil
        var match = RedisGlob.escape(configuration.keyPrefix)
        if let pattern = filter.pattern {
            match += pattern
        } else {
            match += RedisGlob.escape(filter.prefix ?? "") + "*"
        }
        // MATCH * would cost the server a glob match per key for nothing.
        var scan: [RedisArgument] = ["SCAN", "0"] + (match == "*" ? [] : ["MATCH", RedisArgument(match)])
        scan += ["COUNT", RedisArgument(Self.keyPageSize * 2)]
        if let type = filter.type { scan += ["TYPE", RedisArgument(type)] }
        for (index, node) in try keyScanNodes().enumerated() {
            // Stopped: the first server still describes the page in flight, no further server is begun.
            if index > 0, shouldStop() { return }
            try scanKeys(on: node, scan: scan, filter: filter, types: details.contains(.types), tags: tags, shouldStop: shouldStop,
                         scanned: scanned, body)
        }
    }

    /// One server's SCAN, software-pipelined: [SCAN next, TYPE/PTTL/MEMORY USAGE of this page] per round trip.
    private func scanKeys(on node: KeyScanNode, scan: [RedisArgument], filter: KeyFilter, types: Bool, tags: [String: [String]]?,
                          shouldStop: () -> Bool, scanned: (Int) -> Void, _ body: ([KeyInfo]) throws -> Void) throws {
        // SCAN TYPE already names the type of every key it returns.
        let describer = KeyDescriber(self, node, types: types && filter.type == nil, knownType: filter.type)
        let connection = node.connection
        var first = RedisCommandBuffer()
        first.append(scan)
        try connection.send(first)
        var buffer = RedisCommandBuffer(capacity: 64 * Self.keyPageSize)
        var pending: [[UInt8]] = []   // keys whose replies follow the SCAN reply now at the head
        var finished = false
        while true {
            var nextKeys: [[UInt8]] = []
            if !finished {
                let reply = try checked(try connection.receive(count: 1)[0], context: "Cannot scan keys at \(node.name)", node: node)
                guard let parts = reply.array, parts.count == 2, let cursor = parts[0].string else {
                    throw CacheError(.failed, "Cannot scan keys at \(node.name): unexpected reply to SCAN")
                }
                nextKeys = (parts[1].array ?? []).compactMap(\.bytes).filter { filter.matches(key: displayKey(String(decoding: $0, as: UTF8.self))) }
                // Asked to stop: the page whose keys are here is still described, no further SCAN goes out.
                finished = cursor == "0" || shouldStop()
                buffer.removeAll()
                if !finished {
                    var command = scan
                    command[1] = RedisArgument(cursor)
                    buffer.append(command)
                }
                describer.append(nextKeys, to: &buffer)
                try connection.send(buffer)
            }
            try body(try describer.read(pending, filter: filter, tags: tags))
            scanned(pending.count)
            if finished && pending.isEmpty && nextKeys.isEmpty { return }
            pending = nextKeys
            if finished {
                try body(try describer.read(pending, filter: filter, tags: tags))
                scanned(pending.count)
                return
            }
        }
    }

    /// One key's description from its replies; nil when it no longer exists on this server
    /// (deleted, expired, or moved to another primary by a reshard).
    func description(rawKey: [UInt8], type: RESPValue?, knownType: String?, pttl: RESPValue, memory: RESPValue,
                     tags: [String: [String]]?, node: KeyScanNode) throws -> KeyInfo? {
        let exact = String(validating: rawKey, as: UTF8.self)
        let storeKey = exact ?? String(decoding: rawKey, as: UTF8.self)
        let key = displayKey(storeKey)
        for reply in [type, pttl, memory] {
            if let message = reply?.errorMessage, message.hasPrefix("MOVED ") || message.hasPrefix("ASK ") { return nil }
        }
        let typeName = try type.map { try checked($0, context: "Cannot read the type of \"\(key)\"", node: node).string ?? "none" } ?? knownType ?? ""
        let ttl = try checked(pttl, context: "Cannot read the TTL of \"\(key)\"", node: node).integer ?? -2
        if let message = memory.errorMessage, !message.hasPrefix("NOPERM") {
            throw CacheError(.unavailable, "Cannot measure \"\(key)\" at \(node.name): Redis replied \(message)",
                             hint: "MEMORY USAGE may be renamed or disabled on this server")
        }
        let size = try checked(memory, context: "Cannot measure \"\(key)\"", node: node).integer
        guard typeName != "none", ttl != -2, let size else { return nil }
        let role = role(ofStoreKey: storeKey)
        var info = KeyInfo(key: key, type: typeName, ttlMilliseconds: ttl >= 0 ? ttl : nil, size: size, role: role,
                           tags: role == .entry && tags != nil ? tags?[key] ?? [] : nil)
        if exact == nil {
            let prefix = Array(configuration.keyPrefix.utf8)
            info.keyBytes = rawKey.starts(with: prefix) && !prefix.isEmpty ? Array(rawKey.dropFirst(prefix.count)) : rawKey
        }
        return info
    }

    /// Draws `count` keys with RANDOMKEY. Over several primaries each draws in proportion to its
    /// DBSIZE (largest remainders), so every key of the whole database is equally likely and
    /// the figures scale to the summed DBSIZE: a proportional stratified sample, whose error is
    /// at most that of the simple random sample the stated margin assumes.
    public func sampleKeys(count: Int, details: KeyDetails, shouldStop: () -> Bool, _ body: ([KeyInfo?]) throws -> Void) throws {
        let tags = details.contains(.tags) ? try tagsByKey() : nil
        let nodes = try keyScanNodes()
        let sizes = try nodes.map { try sizeOfDatabase(on: $0) }
        for (node, draws) in zip(nodes, Self.allocate(count, over: sizes)) {
            let describer = KeyDescriber(self, node, types: details.contains(.types))
            var remaining = draws
            while remaining > 0, !shouldStop() {
                let round = min(remaining, Self.keyPageSize)
                remaining -= round
                let picks = try node.connection.pipeline(Array(repeating: ["RANDOMKEY"], count: round))
                var keys: [[UInt8]] = []
                for reply in picks {
                    let bytes = try checked(reply, context: "Cannot pick a random key at \(node.name)", node: node).bytes
                    if let bytes, configuration.entryKey(String(decoding: bytes, as: UTF8.self)) != nil { keys.append(bytes) }
                }
                var buffer = RedisCommandBuffer(capacity: 64 * round)
                describer.append(keys, to: &buffer)
                try node.connection.send(buffer)
                let described = try describer.read(keys, filter: KeyFilter(), tags: tags)
                // One slot per draw: a draw outside the key prefix, or of a key gone since, weighs nothing.
                try body(described + Array(repeating: nil, count: round - described.count))
            }
        }
    }

    /// Entry key → its tags, from every set under the tag prefix on every primary (memory grows
    /// with the memberships).
    func tagsByKey() throws -> [String: [String]] {
        var map: [String: [String]] = [:]
        try tagSetReader().scanTagSets(pattern: nil) { page in
            for members in page {
                for key in members.keys { map[key, default: []].append(members.tag) }
            }
        }
        return map
    }

    /// `count` split over strata in proportion to `sizes`, by largest remainders (sums to `count`
    /// unless every size is 0).
    static func allocate(_ count: Int, over sizes: [Int64]) -> [Int] {
        let total = sizes.reduce(0, +)
        guard total > 0 else { return sizes.map { _ in 0 } }
        let exact = sizes.map { Double(count) * Double($0) / Double(total) }
        var shares = exact.map { Int($0.rounded(.down)) }
        let order = exact.indices.sorted { exact[$0] - Double(shares[$0]) > exact[$1] - Double(shares[$1]) }
        for index in order.prefix(count - shares.reduce(0, +)) { shares[index] += 1 }
        return shares
    }
}

extension RedisBackend: RedisKeyWalking {
    func keyScanNodes() throws -> [KeyScanNode] { [KeyScanNode(name: endpointDescription, connection: connection)] }

    func tagSetReader() -> RedisEntrySource { RedisEntrySource(self) }
}

/// Describes pages of keys: PTTL and MEMORY USAGE of each, and TYPE when asked: pipelined
/// commands, two or three per key (a whole-database scan is bound by the server's work per command).
///
/// Measured against one script call per page (the same three calls inside Lua): the script cost
/// the server about 25% more CPU per key, so a whole-database scan, which the server bounds, stays
/// with plain commands; they also name the command an ACL refuses.
struct KeyDescriber<Backend: RedisKeyWalking> {
    let backend: Backend
    let node: KeyScanNode
    /// Whether TYPE is asked (else the type is `knownType`, or empty).
    let types: Bool
    /// The type every key has, when SCAN filtered by type.
    let knownType: String?

    init(_ backend: Backend, _ node: KeyScanNode, types: Bool, knownType: String? = nil) {
        self.backend = backend
        self.node = node
        self.types = types
        self.knownType = knownType
    }

    private var perKey: Int { types ? 3 : 2 }

    /// Adds the commands describing `keys` to `buffer`.
    func append(_ keys: [[UInt8]], to buffer: inout RedisCommandBuffer) {
        for key in keys {
            if types {
                buffer.begin(arguments: 2)
                buffer.add("TYPE")
                buffer.add(key)
            }
            buffer.begin(arguments: 2)
            buffer.add("PTTL")
            buffer.add(key)
            buffer.begin(arguments: 3)
            buffer.add("MEMORY")
            buffer.add("USAGE")
            buffer.add(key)
        }
    }

    /// Reads what `append` asked for `keys`; keys that vanished meanwhile or fail `filter` are left out.
    func read(_ keys: [[UInt8]], filter: KeyFilter, tags: [String: [String]]?) throws -> [KeyInfo] {
        guard !keys.isEmpty else { return [] }
        let replies = try node.connection.receive(count: perKey * keys.count)
        var infos: [KeyInfo] = []
        infos.reserveCapacity(keys.count)
        let offset = types ? 1 : 0
        for (index, raw) in keys.enumerated() {
            let base = perKey * index
            guard let info = try backend.description(rawKey: raw, type: types ? replies[base] : nil, knownType: knownType,
                                                     pttl: replies[base + offset], memory: replies[base + offset + 1], tags: tags,
                                                     node: node),
                  filter.matches(info) else { continue }
            infos.append(info)
        }
        return infos
    }
}
