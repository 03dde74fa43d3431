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
    /// A TCP host and port that speaks TLS (`rediss://`); the certificate must match `host`.
    case tls(host: String, port: Int)

    public var description: String {
        switch self {
        case .tcp(let host, let port), .tls(let host, let port):
            return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): return path
        }
    }
}

/// One blocking connection to one Redis server: RESP over a transport (TCP, unix socket or TLS).
///
/// The only code in the project that touches hiredis, and only its protocol half: commands are
/// encoded by `RedisCommandBuffer`, replies decoded by hiredis's reader (`redisReaderFeed`,
/// `redisReaderGetReply`). Every reply is converted to `RESPValue` and freed at once, so no C
/// pointer leaves this file. A pipeline of thousands of commands costs one write and the reads
/// its replies need.
public final class RedisConnection {
    /// The address this connection talks to.
    public let address: RedisAddress
    private let transport: any Transport
    private let reader: UnsafeMutablePointer<redisReader>
    private let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 16)
    /// Whether any reply arrived yet: a connection closed before the first one hints at a wrong scheme.
    private var answered = false
    /// A top-level bulk reply at least this long is read straight into its own array: through
    /// hiredis it would be held three times (the reader's buffer, the reply, the array). Such a
    /// reply starts a read, or follows complete replies in one (a pipeline's PTTL, GET, PTTL, GET…).
    static let directBulkThreshold = 1 << 20
    /// Bytes of a directly read bulk's closing CRLF that have not arrived yet.
    private var pendingTrailer = 0
    /// Bytes of `readBuffer` not fed to hiredis yet: a large bulk's header and what follows it,
    /// held back until hiredis has handed out the complete replies read before it.
    private var unfed: Range<Int>?

    /// Connects within `timeout` seconds, which also bounds every later read and write.
    ///
    /// A `.tls` address is verified with `tls` (the system trust store by default). Throws
    /// `.unreachable` when the server cannot be reached in time, `.authentication` when its
    /// certificate is refused or it refuses ours, `.io`/`.usage` for unreadable or unusable
    /// certificate files.
    public init(address: RedisAddress, timeout: Double, tls: TLSOptions = TLSOptions()) throws {
        self.address = address
        guard let reader = redisReaderCreate() else {
            readBuffer.deallocate()
            throw CacheError(.unreachable, "Cannot connect to Redis at \(address): out of memory")
        }
        self.reader = reader
        do {
            transport = try Transports.open(address, timeout: timeout, tls: tls)
        } catch {
            redisReaderFree(reader)
            readBuffer.deallocate()
            throw error
        }
    }

    deinit {
        redisReaderFree(reader)
        readBuffer.deallocate()
    }

    /// Sends one command and waits for its reply.
    ///
    /// An error reply is returned as `.error`, not thrown; only transport failures throw.
    @discardableResult
    public func send(_ arguments: [RedisArgument]) throws -> RESPValue {
        var buffer = RedisCommandBuffer(capacity: 64)
        buffer.append(arguments)
        try send(buffer)
        return try nextReply()
    }

    /// Sends one command written as plain strings, e.g. `send("PING")`.
    @discardableResult
    public func send(_ arguments: String...) throws -> RESPValue {
        try send(arguments.map { RedisArgument($0) })
    }

    /// Sends a batch of commands in one write and reads all their replies, in order.
    public func pipeline(_ commands: [[RedisArgument]]) throws -> [RESPValue] {
        var buffer = RedisCommandBuffer(capacity: commands.count * 32)
        for command in commands { buffer.append(command) }
        return try pipeline(buffer)
    }

    /// Sends every command of an encoded buffer in one write and reads their replies, in order.
    public func pipeline(_ buffer: RedisCommandBuffer) throws -> [RESPValue] {
        guard buffer.count > 0 else { return [] }
        try send(buffer)
        return try receive(count: buffer.count)
    }

    /// Sends every command of an encoded buffer without waiting for the replies; read them
    /// later, in order, with `receive(count:)`. The server queues its replies meanwhile.
    public func send(_ buffer: RedisCommandBuffer) throws {
        guard buffer.count > 0 else { return }
        try buffer.writeSegments { try transport.write($0) }
    }

    /// Reads the next `count` replies of commands sent earlier.
    public func receive(count: Int) throws -> [RESPValue] {
        var replies: [RESPValue] = []
        replies.reserveCapacity(count)
        for _ in 0..<count { replies.append(try nextReply()) }
        return replies
    }

    /// What `streamArray` read: the number of elements handed out, or a reply of another kind
    /// (an error, a null array), as `receive` returns it.
    public enum StreamedArray: Equatable {
        case elements(Int)
        case other(RESPValue)
    }

    /// Reads the next reply, an array of bulk strings (SMEMBERS), handing its elements to `body`
    /// in groups of up to `group` as they are read: the caller can act on the first ones (send
    /// commands on this connection) while the rest are still arriving, and the whole array is
    /// never held. Read here rather than by hiredis, which holds a reply until it is complete; when
    /// hiredis already holds bytes of it, it is read the usual way and handed out in groups.
    public func streamArray(group: Int, _ body: ([[UInt8]]) throws -> Void) throws -> StreamedArray {
        guard readerIsIdle, unfed == nil, pendingTrailer == 0 else { return try handOut(try nextReply(), group: group, body) }
        var start = 0, count = 0
        /// Moves the unread bytes to the front of the buffer and reads more after them.
        func more() throws {
            if start > 0 {
                if count > start { memmove(readBuffer.baseAddress!, readBuffer.baseAddress! + start, count - start) }
                count -= start
                start = 0
            }
            guard count < readBuffer.count else { throw notAReply("a line longer than \(readBuffer.count) bytes") }
            let read = try transport.read(into: UnsafeMutableRawBufferPointer(rebasing: readBuffer[count...]))
            guard read > 0 else {
                throw CacheError(.unreachable, "Lost the connection to Redis at \(address): the server closed it",
                                 hint: "the server stopped, restarted or dropped the client")
            }
            answered = true
            count += read
            start = try skipTrailer(count, from: start)
        }
        /// A header line `<type><integer>\r\n`: its type byte and number.
        func header() throws -> (type: UInt8, number: Int) {
            while true {
                let window = UnsafeRawBufferPointer(rebasing: readBuffer[start..<count])
                if let newline = window.firstIndex(of: 0x0A) {
                    guard newline >= 2, window[newline - 1] == 0x0D,
                          let number = Int(String(decoding: window[1..<(newline - 1)], as: UTF8.self)) else {
                        throw notAReply("a malformed header in an array")
                    }
                    start += newline + 1
                    return (window[0], number)
                }
                try more()
            }
        }
        while count == start { try more() }
        guard readBuffer[start] == UInt8(ascii: "*") else {
            // Not an array (an error reply): hiredis reads it.
            unfed = start..<count
            return .other(try nextReply())
        }
        let (_, length) = try header()
        guard length >= 0 else {
            if start < count { unfed = start..<count }
            return .other(.null)
        }
        guard length <= 1 << 32 else { throw notAReply("an array of \(length) elements") }
        var elements: [[UInt8]] = []
        elements.reserveCapacity(min(group, length))
        for _ in 0..<length {
            let (type, size) = try header()
            guard type == UInt8(ascii: "$"), size >= -1, size <= 1 << 29 else { throw notAReply("an element that is not a bulk string") }
            if size >= 0 {
                elements.append(try readBulk(length: size, start: &start, count: count))
                start = try skipTrailer(count, from: start)
            }
            if elements.count == group {
                try body(elements)
                elements.removeAll(keepingCapacity: true)
            }
        }
        if !elements.isEmpty { try body(elements) }
        if start < count { unfed = start..<count }
        return .elements(length)
    }

    /// `streamArray` of a reply hiredis read whole.
    private func handOut(_ reply: RESPValue, group: Int, _ body: ([[UInt8]]) throws -> Void) throws -> StreamedArray {
        guard let array = reply.array else { return .other(reply) }
        let members = array.compactMap(\.bytes)
        var index = 0
        while index < members.count {
            try body(Array(members[index..<min(index + group, members.count)]))
            index += group
        }
        return .elements(array.count)
    }

    private func notAReply(_ what: String) -> CacheError {
        CacheError(.unreachable, "Redis at \(address) sent something that is not a Redis reply: \(what)",
                   hint: "check that the URL names a Redis server")
    }

    // MARK: - C boundary

    /// The next complete reply: from what the reader holds, else after reading more.
    private func nextReply() throws -> RESPValue {
        while true {
            var raw: UnsafeMutableRawPointer?
            guard redisReaderGetReply(reader, &raw) == REDIS_OK else {
                throw CacheError(.unreachable, "Redis at \(address) sent something that is not a Redis reply: \(readerError())",
                                 hint: "check that the URL names a Redis server")
            }
            if let raw {
                answered = true
                return Self.convertAndFree(raw)
            }
            var start: Int
            let count: Int
            if let held = unfed {
                // hiredis has handed out every reply before these bytes: a reply starts here.
                unfed = nil
                (start, count) = (held.lowerBound, held.upperBound)
            } else {
                do {
                    count = try transport.read(into: readBuffer)
                } catch var error as CacheError where !answered && error.message.hasPrefix("Lost the connection") {
                    // A TLS port resets a connection that starts with a plain command.
                    if case .tcp = address { error.hint = "a server that speaks TLS needs rediss://" }
                    throw error
                }
                guard count > 0 else {
                    var hint = "the server stopped, restarted or dropped the client"
                    if !answered, case .tcp = address { hint = "a server that speaks TLS needs rediss://" }
                    throw CacheError(.unreachable, "Lost the connection to Redis at \(address): the server closed it", hint: hint)
                }
                start = try skipTrailer(count)
            }
            if start == count { continue }
            if readerIsIdle {
                let fresh = UnsafeRawBufferPointer(rebasing: readBuffer[start..<count])
                if let (length, headerSize) = Self.largeBulkHeader(fresh) {
                    start += headerSize
                    let value = try readBulk(length: length, start: &start, count: count)
                    start = try skipTrailer(count, from: start)
                    if start < count { unfed = start..<count }
                    answered = true
                    return .bulk(value)
                }
                if let offset = Self.largeBulkOffset(fresh) {
                    // The complete replies before the large bulk go through hiredis; the bulk
                    // starts the next round, once hiredis has handed them out.
                    try feed(start..<(start + offset))
                    unfed = (start + offset)..<count
                    continue
                }
            }
            try feed(start..<count)
        }
    }

    private func feed(_ range: Range<Int>) throws {
        guard !range.isEmpty else { return }
        let base = readBuffer.baseAddress!.advanced(by: range.lowerBound).assumingMemoryBound(to: CChar.self)
        guard redisReaderFeed(reader, base, range.count) == REDIS_OK else {
            throw CacheError(.unreachable, "Cannot read the reply of Redis at \(address): \(readerError())")
        }
    }

    /// Whether hiredis holds no unread bytes and no reply in progress, so the next byte starts a reply.
    private var readerIsIdle: Bool {
        let state = reader.pointee
        return state.pos == state.len && (state.ridx == -1 || (state.ridx == 0 && state.rstack.0.type == -1))
    }

    /// The length and header size of a bulk reply (`$<length>\r\n`) of at least `directBulkThreshold`
    /// bytes at the start of `bytes`; nil for anything else, for a header not complete in `bytes`, and above
    /// 512 MiB (Redis's largest string by default): a length a server only claims is not allocated up
    /// front; hiredis grows its buffer as the bytes arrive.
    static func largeBulkHeader(_ bytes: UnsafeRawBufferPointer) -> (length: Int, headerSize: Int)? {
        guard bytes.count > 3, bytes[0] == UInt8(ascii: "$") else { return nil }
        var length = 0
        var index = 1
        while index < bytes.count, index < 20, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            length = length * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        guard index > 1, index + 1 < bytes.count, bytes[index] == 0x0D, bytes[index + 1] == 0x0A,
              length >= directBulkThreshold, length <= 1 << 29 else { return nil }
        return (length, index + 2)
    }

    /// Where the first top-level bulk reply of at least `directBulkThreshold` bytes begins in
    /// `bytes` (which begin with a reply), past complete status, error and integer replies and
    /// small bulks; nil when none does, or an array or an incomplete reply comes first.
    static func largeBulkOffset(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var position = 0
        while position < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[position...])
            guard let lineEnd = rest.firstIndex(of: 0x0A).map({ $0 + 1 }), lineEnd >= 3, rest[lineEnd - 2] == 0x0D else { return nil }
            switch rest[0] {
            case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: ":"):
                position += lineEnd
            case UInt8(ascii: "$"):
                if largeBulkHeader(rest) != nil { return position > 0 ? position : nil }
                if rest[1] == UInt8(ascii: "-") {
                    position += lineEnd  // $-1: the null bulk
                    continue
                }
                var length = 0
                for digit in rest[1..<(lineEnd - 2)] {
                    guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit), length < directBulkThreshold else { return nil }
                    length = length * 10 + Int(digit - UInt8(ascii: "0"))
                }
                position += lineEnd + length + 2
            default:
                return nil
            }
        }
        return nil
    }

    /// Reads a bulk payload of `length` bytes into one array: first what `readBuffer[start..<count]`
    /// already holds, then straight from the transport. Afterwards `start..<count` is what the read
    /// buffer holds past the payload; its closing CRLF is left to `skipTrailer`.
    private func readBulk(length: Int, start: inout Int, count: Int) throws -> [UInt8] {
        let available = min(length, count - start)
        let value = try [UInt8](unsafeUninitializedCapacity: length) { storage, initialized in
            let target = UnsafeMutableRawBufferPointer(storage)
            target.copyMemory(from: UnsafeRawBufferPointer(rebasing: readBuffer[start..<(start + available)]))
            var filled = available
            while filled < length {
                let read = try transport.read(into: UnsafeMutableRawBufferPointer(rebasing: target[filled...]))
                guard read > 0 else {
                    throw CacheError(.unreachable, "Lost the connection to Redis at \(address): the server closed it",
                                     hint: "the server stopped, restarted or dropped the client")
                }
                filled += read
            }
            initialized = length
        }
        // Past the part of the payload the read buffer held: its end, or what followed the payload.
        start += available
        pendingTrailer = 2
        return value
    }

    /// Drops what `readBuffer[start..<count]` holds of a directly read bulk's closing CRLF;
    /// returns where the rest begins.
    private func skipTrailer(_ count: Int, from start: Int = 0) throws -> Int {
        var position = start
        while pendingTrailer > 0, position < count {
            guard readBuffer[position] == (pendingTrailer == 2 ? 0x0D : 0x0A) else {
                throw CacheError(.unreachable, "Redis at \(address) sent something that is not a Redis reply: a bulk string without its CRLF",
                                 hint: "check that the URL names a Redis server")
            }
            pendingTrailer -= 1
            position += 1
        }
        return position
    }

    private func readerError() -> String {
        withUnsafeBytes(of: reader.pointee.errstr) { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            let end = bytes.firstIndex(of: 0) ?? bytes.count
            let text = String(decoding: bytes[..<end], as: UTF8.self)
            return text.isEmpty ? "error \(reader.pointee.err)" : text
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
