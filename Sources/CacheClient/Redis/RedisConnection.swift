import CHiredis
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Where a Redis server listens.
public enum RedisAddress: Sendable, Equatable, CustomStringConvertible {
    /// A TCP host and port.
    case tcp(host: String, port: Int)
    /// A unix domain socket path.
    case unix(path: String)

    public var description: String {
        switch self {
        case .tcp(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): return path
        }
    }
}

/// One blocking connection to one Redis server: the only code in the project that touches hiredis.
///
/// Every reply is converted to `RESPValue` and freed at once, so no C pointer leaves this file.
/// Commands go out through `redisCommandArgv`; batches through `redisAppendCommandArgv` and
/// `redisGetReply`, so a pipeline of thousands of commands costs one round trip per batch.
public final class RedisConnection {
    /// The address this connection talks to.
    public let address: RedisAddress
    private var context: UnsafeMutablePointer<redisContext>

    /// Connects within `timeout` seconds, which also bounds every later command.
    ///
    /// Throws `.unreachable` when the server cannot be reached in time.
    public init(address: RedisAddress, timeout: Double) throws {
        self.address = address
        let tv = timeval(seconds: timeout)
        let connected: UnsafeMutablePointer<redisContext>?
        switch address {
        case .tcp(let host, let port): connected = redisConnectWithTimeout(host, Int32(port), tv)
        case .unix(let path): connected = redisConnectUnixWithTimeout(path, tv)
        }
        guard let connected else {
            throw CacheError(.unreachable, "Cannot connect to Redis at \(address): out of memory")
        }
        if connected.pointee.err != 0 {
            let reason = Self.errorText(connected)
            redisFree(connected)
            throw CacheError(.unreachable, "Cannot connect to Redis at \(address): \(reason)",
                             hint: "check that the server is running and the URL is right, or raise --timeout")
        }
        context = connected
        if redisSetTimeout(context, tv) != REDIS_OK {
            let reason = Self.errorText(context)
            redisFree(context)
            throw CacheError(.unreachable, "Cannot set the timeout on the connection to \(address): \(reason)")
        }
    }

    deinit {
        redisFree(context)
    }

    /// Sends one command and waits for its reply.
    ///
    /// An error reply is returned as `.error`, not thrown; only transport failures throw.
    @discardableResult
    public func send(_ arguments: [RedisArgument]) throws -> RESPValue {
        let reply = withArgv(arguments) { argc, argv, lengths in
            redisCommandArgv(context, argc, argv, lengths)
        }
        guard let reply else { throw transportError() }
        return Self.convertAndFree(reply)
    }

    /// Sends one command written as plain strings, e.g. `send("PING")`.
    @discardableResult
    public func send(_ arguments: String...) throws -> RESPValue {
        try send(arguments.map { RedisArgument($0) })
    }

    /// Sends a batch of commands in one write and reads all their replies, in order.
    public func pipeline(_ commands: [[RedisArgument]]) throws -> [RESPValue] {
        // Encoded here in one buffer: hiredis's own argv formatting (sdscatfmt per argument)
        // cost more than the server's work on large batches.
        var buffer = RedisCommandBuffer(capacity: commands.count * 32)
        for command in commands {
            buffer.begin(arguments: command.count)
            for argument in command { buffer.add(argument.bytes) }
        }
        return try pipeline(buffer)
    }

    /// Sends every command of an encoded buffer in one append and reads their replies, in order.
    public func pipeline(_ buffer: RedisCommandBuffer) throws -> [RESPValue] {
        guard buffer.count > 0 else { return [] }
        let status = buffer.bytes.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { redisAppendFormattedCommand(context, $0.baseAddress!, $0.count) }
        }
        if status != REDIS_OK { throw transportError() }
        var replies: [RESPValue] = []
        replies.reserveCapacity(buffer.count)
        for _ in 0..<buffer.count {
            var raw: UnsafeMutableRawPointer?
            if redisGetReply(context, &raw) != REDIS_OK || raw == nil { throw transportError() }
            replies.append(Self.convertAndFree(raw!))
        }
        return replies
    }

    /// Sends every command of an encoded buffer without waiting for the replies; read them
    /// later, in order, with `receive(count:)`. The server queues its replies meanwhile.
    public func send(_ buffer: RedisCommandBuffer) throws {
        guard buffer.count > 0 else { return }
        // Anything hiredis still holds goes first; then the buffer goes straight to the socket,
        // sparing hiredis's output buffer a copy and its growth for every large batch.
        var done: Int32 = 0
        repeat {
            if redisBufferWrite(context, &done) != REDIS_OK { throw transportError() }
        } while done == 0
        let fd = context.pointee.fd
        try buffer.bytes.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let count = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if count < 0 {
                    let code = errno
                    if code == EINTR { continue }
                    let what = code == EAGAIN || code == EWOULDBLOCK ? "Redis at \(address) did not answer in time"
                                                                     : "Lost the connection to Redis at \(address)"
                    throw CacheError(.unreachable, "\(what): \(String(cString: strerror(code)))",
                                     hint: "raise --timeout if the server is busy")
                }
                offset += count
            }
        }
    }

    /// Reads the next `count` replies of commands sent earlier.
    public func receive(count: Int) throws -> [RESPValue] {
        var replies: [RESPValue] = []
        replies.reserveCapacity(count)
        for _ in 0..<count {
            var raw: UnsafeMutableRawPointer?
            if redisGetReply(context, &raw) != REDIS_OK || raw == nil { throw transportError() }
            replies.append(Self.convertAndFree(raw!))
        }
        return replies
    }

    // MARK: - C boundary

    private func withArgv<R>(
        _ arguments: [RedisArgument],
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> R
    ) -> R {
        // One contiguous buffer for all arguments keeps a pipeline of small commands cheap.
        var total = 0
        for argument in arguments { total += argument.bytes.count }
        var storage = [CChar](repeating: 0, count: max(total, 1))
        var lengths = [Int](repeating: 0, count: arguments.count)
        var offsets = [Int](repeating: 0, count: arguments.count)
        storage.withUnsafeMutableBytes { raw in
            var offset = 0
            for (index, argument) in arguments.enumerated() {
                let count = argument.bytes.count
                if count > 0 {
                    argument.bytes.withUnsafeBytes { source in
                        raw.baseAddress!.advanced(by: offset).copyMemory(from: source.baseAddress!, byteCount: count)
                    }
                }
                lengths[index] = count
                offsets[index] = offset
                offset += count
            }
        }
        return storage.withUnsafeBufferPointer { buffer in
            var pointers = offsets.map { Optional(buffer.baseAddress!.advanced(by: $0)) }
            return pointers.withUnsafeMutableBufferPointer { argv in
                lengths.withUnsafeBufferPointer { lengthBuffer in
                    body(Int32(arguments.count), argv.baseAddress!, lengthBuffer.baseAddress!)
                }
            }
        }
    }

    private func transportError() -> CacheError {
        let reason = context.pointee.err == 0 ? "no reply" : Self.errorText(context)
        let lowered = reason.lowercased()
        let what = lowered.contains("timed out") || lowered.contains("temporarily unavailable")
            ? "Redis at \(address) did not answer in time"
            : "Lost the connection to Redis at \(address)"
        return CacheError(.unreachable, "\(what): \(reason)", hint: "raise --timeout if the server is busy")
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            let end = bytes.firstIndex(of: 0) ?? bytes.count
            let text = String(decoding: bytes[..<end], as: UTF8.self)
            return text.isEmpty ? "error \(context.pointee.err)" : text
        }
    }

    private static func convertAndFree(_ raw: UnsafeMutableRawPointer) -> RESPValue {
        let reply = raw.assumingMemoryBound(to: redisReply.self)
        defer { freeReplyObject(raw) }
        return convert(reply)
    }

    private static func convert(_ reply: UnsafeMutablePointer<redisReply>) -> RESPValue {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING:
            guard let str = r.str, r.len > 0 else { return .bulk([]) }
            return .bulk(Array(UnsafeRawBufferPointer(start: str, count: Int(r.len))))
        case REDIS_REPLY_STATUS:
            return .status(r.str.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: Int(r.len)), as: UTF8.self) } ?? "")
        case REDIS_REPLY_ERROR:
            return .error(r.str.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: Int(r.len)), as: UTF8.self) } ?? "")
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(r.integer))
        case REDIS_REPLY_ARRAY:
            var elements: [RESPValue] = []
            elements.reserveCapacity(Int(r.elements))
            for index in 0..<Int(r.elements) {
                if let element = r.element[index] { elements.append(convert(element)) } else { elements.append(.null) }
            }
            return .array(elements)
        default:
            return .null
        }
    }
}

/// One argument of a Redis command: bytes, built from text, bytes or numbers.
public struct RedisArgument: Sendable, Equatable, ExpressibleByStringLiteral {
    /// The argument's bytes as sent on the wire.
    public var bytes: [UInt8]

    /// Text as UTF-8.
    public init(_ text: String) { bytes = Array(text.utf8) }
    /// Raw bytes.
    public init(bytes: [UInt8]) { self.bytes = bytes }
    /// A decimal integer.
    public init(_ number: Int64) { bytes = Array(String(number).utf8) }
    /// A decimal integer.
    public init(_ number: Int) { bytes = Array(String(number).utf8) }
    public init(stringLiteral value: String) { self.init(value) }
}

extension timeval {
    fileprivate init(seconds: Double) {
        let whole = max(0, seconds.rounded(.down))
        self.init(tv_sec: Int(whole), tv_usec: Int((max(0, seconds) - whole) * 1_000_000))
    }
}
