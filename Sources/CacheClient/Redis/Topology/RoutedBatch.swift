/// A pipeline split per node: each command is encoded straight into the buffer of the node that
/// serves its slot, and the replies are put back in the order the commands were added.
///
/// Build it with `begin(slot:arguments:)` (or `begin(node:arguments:)` for a command meant for
/// one node, such as ASKING) followed by exactly that many `add` calls, as with
/// `RedisCommandBuffer`. Every command keeps its bytes, so one that meets a redirect can be
/// copied into the next batch unchanged.
public struct RoutedBatch {
    /// The commands for one node, in the order added, and their positions in the whole batch.
    struct Part {
        var node: RedisAddress
        var buffer: RedisCommandBuffer
        /// Position in the batch of each command of `buffer`.
        var positions: [Int] = []
        /// Byte offset in `buffer` where each command starts.
        var starts: [Int] = []

        /// The encoded bytes of the `index`th command of this part.
        func command(_ index: Int) -> ArraySlice<UInt8> {
            let end = index + 1 < starts.count ? starts[index + 1] : buffer.bytes.count
            return buffer.bytes[starts[index]..<end]
        }
    }

    /// The map the batch is routed by.
    public let map: SlotMap
    private(set) var parts: [Part] = []
    /// Part index per shard of `map` (-1: none yet).
    private var partOfShard: [Int]
    /// The routing slot of each command (-1 when it was sent to a named node).
    private(set) var slots: [Int32] = []
    /// Commands whose reply is not wanted (ASKING before a redirected command).
    private(set) var discarded: Set<Int> = []
    private var current = -1

    /// Whether keys are hashed to find their slot: not when one server holds every slot.
    private let hashesKeys: Bool

    /// An empty batch routed by `map`; `hashesKeys` false for one server, where every key goes to the one node.
    public init(map: SlotMap, hashesKeys: Bool = true) {
        self.map = map
        self.hashesKeys = hashesKeys
        partOfShard = [Int](repeating: -1, count: map.shards.count)
    }

    /// Commands added so far.
    public var count: Int { slots.count }
    /// Nodes the batch goes to.
    public var nodes: [RedisAddress] { parts.map(\.node) }

    /// Starts a command for the key in `slot`; add exactly `arguments` arguments next.
    public mutating func begin(slot: HashSlot, arguments: Int) {
        let shard = map.shardIndex(for: slot)
        let part: Int
        if let shard {
            if partOfShard[shard] < 0 {
                partOfShard[shard] = parts.count
                parts.append(Part(node: map.shards[shard].primary.address, buffer: RedisCommandBuffer()))
            }
            part = partOfShard[shard]
        } else {
            // No primary serves the slot now: the command waits in a part of its own, never sent,
            // answered CLUSTERDOWN so the router retries it on a fresh map.
            part = self.part(for: Self.unserved)
        }
        start(part: part, slot: Int32(slot.value), arguments: arguments)
    }

    /// Starts a command for the store key `prefix + key`; add exactly `arguments` arguments next.
    /// For one server the key is not even hashed.
    public mutating func begin(prefix: String, key: String, arguments: Int) {
        begin(slot: hashesKeys ? HashSlot(prefix: prefix, key: key) : Self.anySlot, arguments: arguments)
    }

    /// Starts a command for the store key given as bytes.
    public mutating func begin(key: [UInt8], arguments: Int) {
        begin(slot: hashesKeys ? HashSlot(key: key) : Self.anySlot, arguments: arguments)
    }

    private static let anySlot = HashSlot(0)!

    /// Starts a command meant for one node whatever the slot map says.
    public mutating func begin(node: RedisAddress, arguments: Int) {
        start(part: part(for: node), slot: -1, arguments: arguments)
    }

    /// Adds one argument of the current command: raw bytes.
    public mutating func add(_ argument: [UInt8]) { parts[current].buffer.add(argument) }
    /// Adds one argument of the current command: text.
    public mutating func add(_ argument: String) { parts[current].buffer.add(argument) }
    /// Adds one argument of the current command: two texts joined (a prefix and a key).
    public mutating func add(_ prefix: String, _ text: String) { parts[current].buffer.add(prefix, text) }
    /// Adds one argument of the current command: a decimal integer.
    public mutating func add(_ number: Int64) { parts[current].buffer.add(number) }

    /// Adds a whole command for the key in `slot`.
    public mutating func append(slot: HashSlot, _ arguments: [RedisArgument]) {
        begin(slot: slot, arguments: arguments.count)
        for argument in arguments { add(argument.bytes) }
    }

    /// Adds a command already encoded, for the key in `slot` (-1: for `node`), optionally after ASKING.
    mutating func append(encoded command: ArraySlice<UInt8>, slot: Int32, node: RedisAddress?, asking: Bool) {
        if asking, let node {
            begin(node: node, arguments: 1)
            add("ASKING")
            discarded.insert(count - 1)
        }
        let part: Int
        if let node {
            part = self.part(for: node)
        } else if let shard = map.shardIndex(for: HashSlot(Int(slot))!) {
            if partOfShard[shard] < 0 {
                partOfShard[shard] = parts.count
                parts.append(Part(node: map.shards[shard].primary.address, buffer: RedisCommandBuffer()))
            }
            part = partOfShard[shard]
        } else {
            part = self.part(for: Self.unserved)
        }
        parts[part].positions.append(count)
        parts[part].starts.append(parts[part].buffer.bytes.count)
        parts[part].buffer.append(encoded: command)
        slots.append(slot)
        current = part
    }

    /// The placeholder node of commands whose slot no primary serves.
    static let unserved = RedisAddress.unix(path: "")

    private mutating func part(for node: RedisAddress) -> Int {
        if let index = parts.firstIndex(where: { $0.node == node }) { return index }
        parts.append(Part(node: node, buffer: RedisCommandBuffer()))
        return parts.count - 1
    }

    private mutating func start(part: Int, slot: Int32, arguments: Int) {
        current = part
        parts[part].positions.append(slots.count)
        parts[part].starts.append(parts[part].buffer.bytes.count)
        parts[part].buffer.begin(arguments: arguments)
        slots.append(slot)
    }
}
