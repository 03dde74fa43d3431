/// The elements of a Redis value that is not a string, as migrate carries them through JSON Lines.
///
/// `elements` is what the type's read command returns and its write command takes: members of a
/// set (SMEMBERS / SADD), items of a list in order (LRANGE / RPUSH), field, value, field, value
/// of a hash (HGETALL / HSET), member, score, member, score of a sorted set (ZRANGE WITHSCORES;
/// ZADD takes score first). Scores are kept as the text Redis gave (`1.5`, `inf`), so nothing is
/// lost to floating point.
public struct RedisCollection: Sendable, Equatable {
    /// `set`, `list`, `hash` or `zset`.
    public var type: String
    /// The elements, flattened into pairs for `hash` and `zset`.
    public var elements: [[UInt8]]

    /// Creates a collection.
    public init(type: String, elements: [[UInt8]]) {
        self.type = type
        self.elements = elements
    }

    /// The types that travel element by element; any other travels as a DUMP payload.
    public static let types: Set<String> = ["set", "list", "hash", "zset"]

    /// The command that reads every element of `storeKey`.
    static func readCommand(type: String, storeKey: String) -> [RedisArgument] {
        let key = RedisArgument(storeKey)
        switch type {
        case "set": return ["SMEMBERS", key]
        case "list": return ["LRANGE", key, "0", "-1"]
        case "hash": return ["HGETALL", key]
        default: return ["ZRANGE", key, "0", "-1", "WITHSCORES"]
        }
    }

    /// The command that adds every element to `storeKey` (which must not exist yet).
    func writeCommand(storeKey: String) -> [RedisArgument] {
        let name: RedisArgument = switch type {
        case "set": "SADD"
        case "list": "RPUSH"
        case "hash": "HSET"
        default: "ZADD"
        }
        var command: [RedisArgument] = [name, RedisArgument(storeKey)]
        if type == "zset" {
            var index = 0
            while index + 1 < elements.count {
                command.append(RedisArgument(bytes: elements[index + 1]))
                command.append(RedisArgument(bytes: elements[index]))
                index += 2
            }
        } else {
            command += elements.map { RedisArgument(bytes: $0) }
        }
        return command
    }

    /// The elements in an order that does not depend on how they were inserted: sets and
    /// hashes sorted (hash pairs by field), lists and sorted sets as Redis orders them. Two
    /// values with the same content compare equal here even when their DUMP bytes differ.
    public var canonical: [[UInt8]] {
        switch type {
        case "set":
            return elements.sorted { $0.lexicographicallyPrecedes($1) }
        case "hash":
            var pairs: [([UInt8], [UInt8])] = []
            var index = 0
            while index + 1 < elements.count {
                pairs.append((elements[index], elements[index + 1]))
                index += 2
            }
            return pairs.sorted { $0.0.lexicographicallyPrecedes($1.0) }.flatMap { [$0.0, $0.1] }
        default:
            return elements
        }
    }

    /// Whether every element is UTF-8 text, so that it can be written as JSON strings.
    var isText: Bool { elements.allSatisfy { String(validating: $0, as: UTF8.self) != nil } }
}
