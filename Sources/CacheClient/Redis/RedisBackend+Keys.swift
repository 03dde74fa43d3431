import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// `keys` and `usage` on Redis: SCAN with a large COUNT (never KEYS), and per page one pipeline
/// of TYPE, PTTL and MEMORY USAGE per key. The next page's SCAN rides at the head of each
/// pipeline, so the next page is sent before this page's replies are read and the server works
/// while the client parses.
extension RedisBackend: KeyScanning {
    /// Keys per SCAN step and per sampling round trip.
    static let keyPageSize = 1000

    /// The servers a scan walks, each once: this server today; with a cluster topology, every
    /// primary (the figures then add up over them).
    var scanConnections: [RedisConnection] { [connection] }

    public func keyCount() throws -> Int64 {
        var total: Int64 = 0
        for connection in scanConnections {
            total += try check(try connection.send("DBSIZE"), context: "Cannot read DBSIZE at \(endpointDescription)").integer ?? 0
        }
        return total
    }

    public var samplesKeys: Bool { true }

    public func keyTypes(_ keys: [String]) throws -> [String?] {
        var types: [String?] = []
        for chunk in keys.chunks(of: Self.keyPageSize) {
            for (key, reply) in zip(chunk, try connection.pipeline(chunk.map { ["TYPE", RedisArgument(configuration.storeKey($0))] })) {
                let type = try check(reply, context: "Cannot read the type of \"\(key)\"").string
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
        var scan: [RedisArgument] = ["SCAN", "0", "MATCH", RedisArgument(match), "COUNT", RedisArgument(Self.keyPageSize * 2)]
        if let type = filter.type { scan += ["TYPE", RedisArgument(type)] }
        for connection in scanConnections {
            try scanKeys(on: connection, scan: scan, filter: filter, types: details.contains(.types), tags: tags, shouldStop: shouldStop,
                         scanned: scanned, body)
        }
    }

    /// One server's SCAN, software-pipelined: [SCAN next, TYPE/PTTL/MEMORY USAGE of this page] per round trip.
    private func scanKeys(on connection: RedisConnection, scan: [RedisArgument], filter: KeyFilter, types: Bool, tags: [String: [String]]?,
                          shouldStop: () -> Bool, scanned: (Int) -> Void, _ body: ([KeyInfo]) throws -> Void) throws {
        // SCAN TYPE already names the type of every key it returns.
        let describer = KeyDescriber(self, connection, types: types && filter.type == nil, knownType: filter.type)
        var first = RedisCommandBuffer()
        first.append(scan)
        try connection.send(first)
        var buffer = RedisCommandBuffer(capacity: 64 * Self.keyPageSize)
        var pending: [[UInt8]] = []   // keys whose replies follow the SCAN reply now at the head
        var finished = false
        while true {
            var nextKeys: [[UInt8]] = []
            if !finished {
                let reply = try check(try connection.receive(count: 1)[0], context: "Cannot scan keys at \(endpointDescription)")
                guard let parts = reply.array, parts.count == 2, let cursor = parts[0].string else {
                    throw CacheError(.failed, "Cannot scan keys at \(endpointDescription): unexpected reply to SCAN")
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

    /// One key's description from its three replies; nil when it no longer exists.
    func description(storeKey: String, type: RESPValue?, knownType: String?, pttl: RESPValue, memory: RESPValue,
                     tags: [String: [String]]?) throws -> KeyInfo? {
        let key = displayKey(storeKey)
        let typeName = try type.map { try check($0, context: "Cannot read the type of \"\(key)\"").string ?? "none" } ?? knownType ?? ""
        let ttl = try check(pttl, context: "Cannot read the TTL of \"\(key)\"").integer ?? -2
        if let message = memory.errorMessage, !message.hasPrefix("NOPERM") {
            throw CacheError(.unreachable, "Cannot measure \"\(key)\" at \(endpointDescription): Redis replied \(message)",
                             hint: "MEMORY USAGE may be renamed or disabled on this server")
        }
        let size = try check(memory, context: "Cannot measure \"\(key)\"").integer
        guard typeName != "none", ttl != -2, let size else { return nil }
        let role = role(ofStoreKey: storeKey)
        return KeyInfo(key: key, type: typeName, ttlMilliseconds: ttl >= 0 ? ttl : nil, size: size, role: role,
                       tags: role == .entry && tags != nil ? tags?[key] ?? [] : nil)
    }

    public func sampleKeys(count: Int, details: KeyDetails, shouldStop: () -> Bool, _ body: ([KeyInfo?]) throws -> Void) throws {
        let tags = details.contains(.tags) ? try tagsByKey() : nil
        let describer = KeyDescriber(self, connection, types: details.contains(.types))
        var remaining = count
        while remaining > 0, !shouldStop() {
            let round = min(remaining, Self.keyPageSize)
            remaining -= round
            let picks = try connection.pipeline(Array(repeating: ["RANDOMKEY"], count: round))
            var keys: [[UInt8]?] = []
            for reply in picks {
                let bytes = try check(reply, context: "Cannot pick a random key at \(endpointDescription)").bytes
                keys.append(bytes.flatMap { configuration.entryKey(String(decoding: $0, as: UTF8.self)) == nil ? nil : $0 })
            }
            var buffer = RedisCommandBuffer(capacity: 64 * round)
            describer.append(keys.compactMap { $0 }, to: &buffer)
            try connection.send(buffer)
            let described = try describer.read(keys.compactMap { $0 }, filter: KeyFilter(), tags: tags)
            // Keep one slot per draw: a draw outside the key prefix, or of a key gone since, weighs nothing.
            var page: [KeyInfo?] = Array(repeating: nil, count: round - keys.compactMap { $0 }.count)
            page += described
            page += Array(repeating: nil, count: keys.compactMap { $0 }.count - described.count)
            try body(page)
        }
    }

    /// Entry key → its tags, from every set under the tag prefix (memory grows with the memberships).
    private func tagsByKey() throws -> [String: [String]] {
        var map: [String: [String]] = [:]
        try RedisEntrySource(self).scanTagSets(pattern: nil) { page in
            for members in page {
                for key in members.keys { map[key, default: []].append(members.tag) }
            }
        }
        return map
    }
}

/// Describes pages of keys: PTTL and MEMORY USAGE of each, and TYPE when asked: pipelined
/// commands, two or three per key (a whole-database scan is bound by the server's work per command).
///
/// Measured against one script call per page (the same three calls inside Lua): the script cost
/// the server about 25% more CPU per key, so a whole-database scan, which the server bounds, stays
/// with plain commands; they also name the command an ACL refuses.
struct KeyDescriber {
    let backend: RedisBackend
    let connection: RedisConnection
    /// Whether TYPE is asked (else the type is `knownType`, or empty).
    let types: Bool
    /// The type every key has, when SCAN filtered by type.
    let knownType: String?

    init(_ backend: RedisBackend, _ connection: RedisConnection, types: Bool, knownType: String? = nil) {
        self.backend = backend
        self.connection = connection
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
        let replies = try connection.receive(count: perKey * keys.count)
        var infos: [KeyInfo] = []
        infos.reserveCapacity(keys.count)
        let offset = types ? 1 : 0
        for (index, raw) in keys.enumerated() {
            let base = perKey * index
            let storeKey = String(decoding: raw, as: UTF8.self)
            guard let info = try backend.description(storeKey: storeKey, type: types ? replies[base] : nil, knownType: knownType,
                                                     pttl: replies[base + offset], memory: replies[base + offset + 1], tags: tags),
                  filter.matches(info) else { continue }
            infos.append(info)
        }
        return infos
    }
}
