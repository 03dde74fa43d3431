/// Commands encoded as RESP into one growing byte buffer, for large pipelines: no array per
/// argument, no copy per command, one append to the connection per batch.
///
/// A large argument (a 50 MB value) is not copied in: the buffer keeps a reference to its array
/// and `writeSegments` hands it to the transport from its own storage, so a `set` holds the value
/// once, not twice.
public struct RedisCommandBuffer {
    /// The encoded protocol, without the large arguments kept by reference (see `writeSegments`).
    public private(set) var bytes: [UInt8] = []
    /// Arguments at least this long are kept by reference instead of copied.
    static let referenceThreshold = 64 * 1024
    /// Large arguments, each to be written just before `bytes[offset]`.
    private var referenced: [(offset: Int, bytes: [UInt8])] = []
    /// Commands encoded so far (each gets one reply).
    public private(set) var count = 0

    /// An empty buffer with room for about `capacity` bytes.
    public init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// Empties the buffer, keeping its memory for the next batch.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        referenced.removeAll()
        count = 0
    }

    /// Starts a command of `arguments` arguments; add exactly that many next.
    public mutating func begin(arguments: Int) {
        count += 1
        bytes.append(UInt8(ascii: "*"))
        appendDecimal(arguments)
        bytes.append(0x0D)
        bytes.append(0x0A)
    }

    /// Adds one argument: raw bytes.
    public mutating func add(_ argument: [UInt8]) {
        header(argument.count)
        if argument.count >= Self.referenceThreshold {
            referenced.append((bytes.count, argument))
        } else {
            bytes.append(contentsOf: argument)
        }
        trailer()
    }

    /// The whole encoded protocol in order, as consecutive pieces: the encoded bytes and, between
    /// them, the large arguments from their own storage.
    public func writeSegments(_ write: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        try bytes.withUnsafeBytes { encoded in
            var position = 0
            for (offset, argument) in referenced {
                if offset > position { try write(UnsafeRawBufferPointer(rebasing: encoded[position..<offset])) }
                try argument.withUnsafeBytes { try write($0) }
                position = offset
            }
            if encoded.count > position { try write(UnsafeRawBufferPointer(rebasing: encoded[position...])) }
        }
    }

    /// Adds one argument: text as UTF-8.
    public mutating func add(_ argument: String) {
        var text = argument
        text.withUTF8 { utf8 in
            header(utf8.count)
            bytes.append(contentsOf: utf8)
        }
        trailer()
    }

    /// Adds one argument made of two texts, e.g. a key prefix and a key, without building the joined string.
    public mutating func add(_ prefix: String, _ text: String) {
        guard !prefix.isEmpty else { return add(text) }
        var first = prefix
        var second = text
        first.withUTF8 { a in
            second.withUTF8 { b in
                header(a.count + b.count)
                bytes.append(contentsOf: a)
                bytes.append(contentsOf: b)
            }
        }
        trailer()
    }

    /// Adds one argument: a decimal integer.
    public mutating func add(_ number: Int64) {
        // Written back to front into a small buffer on the stack: no array per number.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            var value = number.magnitude
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            } while value > 0
            if number < 0 {
                start -= 1
                digits[start] = UInt8(ascii: "-")
            }
            header(digits.count - start)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
        trailer()
    }

    /// Appends one command that is already encoded, e.g. copied from another buffer to retry it elsewhere.
    public mutating func append(encoded command: ArraySlice<UInt8>) {
        count += 1
        bytes.append(contentsOf: command)
    }

    /// Adds a whole command given as arguments.
    public mutating func append(_ arguments: [RedisArgument]) {
        begin(arguments: arguments.count)
        for argument in arguments { add(argument.bytes) }
    }

    private mutating func header(_ length: Int) {
        bytes.append(UInt8(ascii: "$"))
        appendDecimal(length)
        bytes.append(0x0D)
        bytes.append(0x0A)
    }

    private mutating func trailer() {
        bytes.append(0x0D)
        bytes.append(0x0A)
    }

    private mutating func appendDecimal(_ value: Int) {
        if value < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }
}

/// Where the arguments of a command are encoded: one connection's buffer, or the part of a
/// routed batch that a key's node gets (after its `begin`).
protocol RedisArgumentEncoding {
    mutating func add(_ argument: [UInt8])
    mutating func add(_ argument: String)
    mutating func add(_ prefix: String, _ text: String)
    mutating func add(_ number: Int64)
}

extension RedisCommandBuffer: RedisArgumentEncoding {}
extension RoutedBatch: RedisArgumentEncoding {}

extension RedisArgumentEncoding {
    /// The argument count of `SET key value [PX ms] [NX]` for `entry`.
    static func setArguments(_ entry: Entry, onlyMissing: Bool) -> Int {
        3 + (entry.expiry.milliseconds == nil ? 0 : 2) + (onlyMissing ? 1 : 0)
    }

    /// The arguments of `SET key value [PX ms] [NX]` writing `entry` under `prefix`.
    mutating func addSet(_ entry: Entry, prefix: String, onlyMissing: Bool) {
        add("SET")
        add(prefix, entry.key)
        add(entry.value)
        if let ms = entry.expiry.milliseconds {
            add("PX")
            add(ms)
        }
        if onlyMissing { add("NX") }
    }
}
