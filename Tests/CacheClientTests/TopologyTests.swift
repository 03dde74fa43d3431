import Testing
@testable import CacheClient

@Suite struct HashSlotTests {
    @Test("CRC16 XMODEM matches the Redis Cluster specification's vector")
    func crc16Vector() {
        #expect(HashSlot.crc16(Array("123456789".utf8)) == 0x31C3)
        #expect(HashSlot.crc16([UInt8]()) == 0)
    }

    // Slots as `redis-cli CLUSTER KEYSLOT` reports them.
    @Test(arguments: [("foo", 12182), ("bar", 5061), ("123456789", 12739), ("", 0), ("article:1", 9128)])
    func slots(key: String, slot: Int) {
        #expect(HashSlot(key: key).value == slot)
    }

    @Test("a hash tag hashes only the text between the first { and the next }")
    func hashTags() {
        #expect(HashSlot(key: "{user1000}.following") == HashSlot(key: "user1000"))
        #expect(HashSlot(key: "{user1000}.followers") == HashSlot(key: "{user1000}.following"))
        #expect(HashSlot(key: "foo{bar}{zap}") == HashSlot(key: "bar"))
        // An empty tag hashes the whole key; an unclosed one too.
        #expect(HashSlot(key: "foo{}{bar}") == HashSlot(key: Array("foo{}{bar}".utf8)))
        #expect(HashSlot(key: "foo{}{bar}") != HashSlot(key: "bar"))
        #expect(HashSlot(key: "{{bar}}") == HashSlot(key: "{bar"))
        #expect(HashSlot(key: "foo{bar") != HashSlot(key: "bar"))
    }

    @Test("prefix and key hash as their concatenation, tags spanning both included")
    func prefixed() {
        #expect(HashSlot(prefix: "app:", key: "article:1") == HashSlot(key: "app:article:1"))
        #expect(HashSlot(prefix: "{tenant", key: "}:x") == HashSlot(key: "tenant"))
        #expect(HashSlot(prefix: "", key: "k") == HashSlot(key: "k"))
    }

    @Test("binary keys hash byte for byte")
    func binary() {
        #expect(HashSlot(key: [0xFF, 0x00, 0x7B, 0x61, 0x7D]) == HashSlot(key: "a"))
        #expect(HashSlot(16384) == nil && HashSlot(-1) == nil && HashSlot(16383) != nil)
    }
}

@Suite struct ClusterRedirectTests {
    @Test func moved() {
        #expect(ClusterRedirect(error: "MOVED 3999 127.0.0.1:6381") == .moved(slot: HashSlot(3999)!, address: .tcp(host: "127.0.0.1", port: 6381)))
    }

    @Test func ask() {
        #expect(ClusterRedirect(error: "ASK 3999 10.0.0.2:7002") == .ask(slot: HashSlot(3999)!, address: .tcp(host: "10.0.0.2", port: 7002)))
    }

    @Test("an empty host means the node that answered; IPv6 brackets are dropped")
    func hosts() {
        #expect(ClusterRedirect(error: "MOVED 1 :7000", replyingHost: "127.0.0.9") == .moved(slot: HashSlot(1)!, address: .tcp(host: "127.0.0.9", port: 7000)))
        #expect(ClusterRedirect(error: "MOVED 1 [::1]:7000") == .moved(slot: HashSlot(1)!, address: .tcp(host: "::1", port: 7000)))
        #expect(ClusterRedirect(error: "MOVED 1 ::1:7000") == .moved(slot: HashSlot(1)!, address: .tcp(host: "::1", port: 7000)))
    }

    @Test func busy() {
        #expect(ClusterRedirect(error: "TRYAGAIN Multiple keys request during rehashing of slot") == .tryAgain)
        #expect(ClusterRedirect(error: "CLUSTERDOWN The cluster is down") == .clusterDown)
    }

    @Test(arguments: ["ERR unknown command", "MOVED", "MOVED x 1.2.3.4:5", "MOVED 16384 h:1", "ASK 1 h:0", "ASK 1 h", "WRONGTYPE Operation"])
    func others(message: String) {
        #expect(ClusterRedirect(error: message) == nil)
    }
}

@Suite struct SlotMapTests {
    static func node(_ fields: [(String, RESPValue)]) -> RESPValue {
        .array(fields.flatMap { [RESPValue.bulk(Array($0.0.utf8)), $0.1] })
    }
    static func text(_ value: String) -> RESPValue { .bulk(Array(value.utf8)) }

    @Test("CLUSTER SHARDS: primaries, replicas, ranges; a missing endpoint falls back to the ip, then the replying host")
    func shards() throws {
        let reply = RESPValue.array([
            Self.node([("slots", .array([.integer(0), .integer(5460), .integer(10923), .integer(10923)])),
                       ("nodes", .array([
                           Self.node([("id", Self.text("a")), ("port", .integer(7000)), ("ip", Self.text("127.0.0.1")), ("endpoint", Self.text("127.0.0.1")),
                                      ("role", Self.text("master")), ("health", Self.text("online"))]),
                           Self.node([("id", Self.text("b")), ("port", .integer(7003)), ("ip", Self.text("127.0.0.2")), ("endpoint", Self.text("?")),
                                      ("role", Self.text("replica")), ("health", Self.text("online"))]),
                       ]))]),
            Self.node([("slots", .array([.integer(5461), .integer(10922), .integer(10924), .integer(16383)])),
                       ("nodes", .array([
                           Self.node([("id", Self.text("c")), ("port", .integer(7001)), ("endpoint", Self.text("")),
                                      ("role", Self.text("master")), ("health", Self.text("online"))]),
                       ]))]),
        ])
        let map = try SlotMap(clusterShards: reply, replyingHost: "10.1.1.1")
        #expect(map.unassignedSlots == 0)
        #expect(map.primaries == [.tcp(host: "127.0.0.1", port: 7000), .tcp(host: "10.1.1.1", port: 7001)])
        #expect(map.shards[0].replicas.map(\.address) == [.tcp(host: "127.0.0.2", port: 7003)])
        #expect(map.primary(for: HashSlot(10923)!) == .tcp(host: "127.0.0.1", port: 7000))
        #expect(map.primary(for: HashSlot(10924)!) == .tcp(host: "10.1.1.1", port: 7001))
        #expect(map.primary(for: HashSlot(5461)!) == .tcp(host: "10.1.1.1", port: 7001))
    }

    @Test("CLUSTER SLOTS: ranges grouped by primary")
    func slots() throws {
        func entry(_ start: Int64, _ end: Int64, _ port: Int64) -> RESPValue {
            .array([.integer(start), .integer(end), .array([Self.text("127.0.0.1"), .integer(port), Self.text("id\(port)")]),
                    .array([Self.text("127.0.0.1"), .integer(port + 100), Self.text("r\(port)")])])
        }
        let map = try SlotMap(clusterSlots: .array([entry(0, 99, 1), entry(100, 16383, 2)]), replyingHost: "h")
        #expect(map.unassignedSlots == 0 && map.primaries.count == 2)
        #expect(map.shards[1].replicas.first?.address == .tcp(host: "127.0.0.1", port: 102))
        #expect(throws: CacheError.self) { try SlotMap(clusterSlots: .array([entry(50, 49, 1)]), replyingHost: "h") }
    }

    @Test("a slot claimed twice or out of range is refused; gaps are counted")
    func inconsistent() throws {
        let a = ClusterNode(address: .tcp(host: "a", port: 1), isPrimary: true)
        let b = ClusterNode(address: .tcp(host: "b", port: 1), isPrimary: true)
        #expect(throws: CacheError.self) { try SlotMap(shards: [ClusterShard(primary: a, slots: [0...10]), ClusterShard(primary: b, slots: [10...20])]) }
        #expect(throws: CacheError.self) { try SlotMap(shards: [ClusterShard(primary: a, slots: [0...16384])]) }
        let gappy = try SlotMap(shards: [ClusterShard(primary: a, slots: [0...99])])
        #expect(gappy.unassignedSlots == 16384 - 100)
        #expect(gappy.primary(for: HashSlot(100)!) == nil)
        #expect(SlotMap.single(.tcp(host: "x", port: 1)).primary(for: HashSlot(16383)!) == .tcp(host: "x", port: 1))
    }
}

@Suite struct RoutedBatchTests {
    @Test("commands go to the part of their slot's primary and keep their bytes")
    func routing() throws {
        let a = ClusterNode(address: .tcp(host: "a", port: 1), isPrimary: true)
        let b = ClusterNode(address: .tcp(host: "b", port: 1), isPrimary: true)
        let map = try SlotMap(shards: [ClusterShard(primary: a, slots: [0...8191]), ClusterShard(primary: b, slots: [8192...16383])])
        var batch = RoutedBatch(map: map)
        let keys = ["foo", "bar", "123456789", "{bar}x"]  // slots 12182 (b), 5061 (a), 12739 (b), 5061 (a)
        for key in keys { batch.append(slot: HashSlot(key: key), ["GET", RedisArgument(key)]) }
        batch.begin(node: .tcp(host: "c", port: 1), arguments: 1)
        batch.add("PING")
        #expect(batch.count == 5)
        #expect(batch.nodes == [.tcp(host: "b", port: 1), .tcp(host: "a", port: 1), .tcp(host: "c", port: 1)])
        #expect(batch.parts[0].positions == [0, 2])
        #expect(batch.parts[1].positions == [1, 3])
        #expect(Array(batch.parts[1].command(1)) == Array("*2\r\n$3\r\nGET\r\n$6\r\n{bar}x\r\n".utf8))
        #expect(batch.parts[0].buffer.count == 2)
        #expect(batch.slots[4] == -1)
    }

    @Test("a slot no primary serves is held apart, never sent")
    func unserved() throws {
        let a = ClusterNode(address: .tcp(host: "a", port: 1), isPrimary: true)
        var batch = RoutedBatch(map: try SlotMap(shards: [ClusterShard(primary: a, slots: [0...99])]))
        batch.append(slot: HashSlot(key: "foo"), ["GET", "foo"])
        #expect(batch.nodes == [RoutedBatch.unserved])
    }
}
