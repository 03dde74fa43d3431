/// Python's pickle format (protocols 0 to 5): read without running anything, written for
/// JSON-like values the way CPython's `pickle.dumps(value, 5)` writes them.
///
/// The reader is a table of opcodes over a stack machine that only ever builds data: opcodes
/// that would import a name, call it or build an object (GLOBAL, REDUCE, NEWOBJ, BUILD, INST,
/// OBJ, EXT*, PERSID) yield `.opaque(name)` with the class or function they name instead. A
/// handful of pure builtins (`set`, `frozenset`, `bytearray`, `_codecs.encode`) are decoded as
/// the data they build, since older protocols spell sets and bytes that way.
public enum Pickle {
    /// Decodes one pickle into a safe value tree; throws a full sentence on anything malformed.
    public static func decode(_ bytes: [UInt8], limits: DecodingLimits = .standard) throws(ValueDecodingError) -> CacheValue {
        var machine = PickleMachine(bytes: bytes)
        let root = try machine.run()
        var budget = limits.maximumValues
        var visiting = Set<ObjectIdentifier>()
        return try root.value(depth: limits.maximumDepth, budget: &budget, visiting: &visiting)
    }

    /// Whether `bytes` starts like a pickle of protocol 2 or later (`0x80`, version).
    public static func looksLikePickle(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 3 && bytes[0] == 0x80 && bytes[1] >= 2 && bytes[1] <= 5
    }

    /// Encodes a JSON-like value as a protocol-5 pickle that `pickle.loads` reads back equal.
    ///
    /// Strings become `str`, bytes `bytes`, lists `list`, maps `dict`; an opaque value cannot be
    /// written and throws `.badInput`.
    public static func encode(_ value: CacheValue) throws -> [UInt8] {
        var writer = PickleWriter()
        try writer.save(value, depth: 0)
        return writer.finish()
    }
}

// MARK: - Reading

/// A node of the object graph a pickle builds: a reference type, because pickles share and
/// mutate objects through the memo (a list is memoized empty, then filled by APPENDS).
private final class PickleNode {
    enum Content {
        case scalar(CacheValue)
        case list([PickleNode])
        case dict([(PickleNode, PickleNode)])
        case global(String)
        case opaque(String)
    }

    var content: Content

    init(_ content: Content) { self.content = content }

    static func scalar(_ value: CacheValue) -> PickleNode { PickleNode(.scalar(value)) }

    /// The name this node stands for when called or instantiated.
    var callableName: String {
        switch content {
        case .global(let name), .opaque(let name): name
        default: "object"
        }
    }

    /// The value tree under this node, spending one unit of `budget` per value.
    func value(depth: Int, budget: inout Int, visiting: inout Set<ObjectIdentifier>) throws(ValueDecodingError) -> CacheValue {
        budget -= 1
        guard budget >= 0 else { throw ValueDecodingError("pickle: the value is too large (more than the limit of values)") }
        switch content {
        case .scalar(let value): return value
        case .global(let name): return .opaque(name)
        case .opaque(let name): return .opaque(name)
        case .list(let items):
            guard depth > 0 else { throw ValueDecodingError("pickle: nested too deeply") }
            let id = ObjectIdentifier(self)
            guard visiting.insert(id).inserted else { return .opaque("recursive reference") }
            defer { visiting.remove(id) }
            var values: [CacheValue] = []
            values.reserveCapacity(min(items.count, budget))
            for item in items { values.append(try item.value(depth: depth - 1, budget: &budget, visiting: &visiting)) }
            return .list(values)
        case .dict(let pairs):
            guard depth > 0 else { throw ValueDecodingError("pickle: nested too deeply") }
            let id = ObjectIdentifier(self)
            guard visiting.insert(id).inserted else { return .opaque("recursive reference") }
            defer { visiting.remove(id) }
            var items: [CacheValue.MapItem] = []
            for (key, value) in pairs {
                items.append(CacheValue.MapItem(try key.value(depth: depth - 1, budget: &budget, visiting: &visiting),
                                                try value.value(depth: depth - 1, budget: &budget, visiting: &visiting)))
            }
            return .map(items)
        }
    }
}

/// The pickle virtual machine, restricted to building data.
private struct PickleMachine {
    var reader: ByteReader
    var stack: [PickleNode] = []
    var marks: [Int] = []
    var memo: [UInt64: PickleNode] = [:]

    init(bytes: [UInt8]) { reader = ByteReader(bytes, format: "pickle") }

    mutating func run() throws(ValueDecodingError) -> PickleNode {
        while true {
            let opcodeOffset = reader.offset
            let opcode = try reader.byte()
            if opcode == 0x2E {  // STOP
                guard let top = stack.last, stack.count == 1 else {
                    throw ValueDecodingError("pickle: STOP with \(stack.count) values on the stack at byte \(opcodeOffset)")
                }
                return top
            }
            try step(opcode, at: opcodeOffset)
        }
    }

    func failure(_ what: String, at offset: Int) -> ValueDecodingError {
        ValueDecodingError("pickle: \(what) at byte \(offset)")
    }

    mutating func pop(at offset: Int) throws(ValueDecodingError) -> PickleNode {
        guard let top = stack.popLast() else { throw failure("stack underflow", at: offset) }
        if let mark = marks.last, stack.count < mark { throw failure("stack underflow past a mark", at: offset) }
        return top
    }

    mutating func popMark(at offset: Int) throws(ValueDecodingError) -> [PickleNode] {
        guard let mark = marks.popLast(), mark <= stack.count else { throw failure("no mark on the stack", at: offset) }
        defer { stack.removeSubrange(mark...) }
        return Array(stack[mark...])
    }

    mutating func push(_ value: CacheValue) { stack.append(.scalar(value)) }

    /// A text line (protocol 0 arguments), without its newline.
    mutating func line() throws(ValueDecodingError) -> ArraySlice<UInt8> { try reader.until(0x0A) }

    mutating func lineText(at offset: Int) throws(ValueDecodingError) -> String {
        let bytes = try line()
        guard let text = String(validating: bytes, as: UTF8.self) else { throw failure("argument is not text", at: offset) }
        return text
    }

    mutating func step(_ opcode: UInt8, at offset: Int) throws(ValueDecodingError) {
        switch opcode {
        case 0x80:  // PROTO
            let version = try reader.byte()
            guard version <= 5 else { throw failure("unsupported protocol \(version)", at: offset) }
        case 0x95:  // FRAME: the frame's length only helps buffered readers
            _ = try reader.take(8)
        case 0x28: marks.append(stack.count)  // MARK
        case 0x30: _ = try pop(at: offset)  // POP
        case 0x31: _ = try popMark(at: offset)  // POP_MARK
        case 0x32:  // DUP
            guard let top = stack.last else { throw failure("stack underflow", at: offset) }
            stack.append(top)
        // Constants and numbers
        case 0x4E: push(.null)  // NONE
        case 0x88: push(.bool(true))  // NEWTRUE
        case 0x89: push(.bool(false))  // NEWFALSE
        case 0x4B: push(.int(Int64(try reader.byte())))  // BININT1
        case 0x4D: push(.int(Int64(try reader.littleEndian(2))))  // BININT2
        case 0x4A: push(.int(Int64(Int32(truncatingIfNeeded: try reader.littleEndian(4)))))  // BININT
        case 0x8A:  // LONG1
            let count = Int(try reader.byte())
            push(try Self.twosComplement(try reader.take(count), at: offset))
        case 0x8B:  // LONG4
            let raw = Int32(truncatingIfNeeded: try reader.littleEndian(4))
            guard raw >= 0 else { throw failure("negative LONG4 length", at: offset) }
            let count = try reader.length(UInt64(raw))
            push(try Self.twosComplement(try reader.take(count), at: offset))
        case 0x49:  // INT (protocol 0; "01"/"00" are True/False)
            let text = try lineText(at: offset)
            if text == "01" { push(.bool(true)) } else if text == "00" { push(.bool(false)) } else {
                push(try Self.integer(text, at: offset))
            }
        case 0x4C:  // LONG (protocol 0: digits and an optional L)
            var text = try lineText(at: offset)
            if text.hasSuffix("L") { text.removeLast() }
            push(try Self.integer(text, at: offset))
        case 0x46:  // FLOAT (text)
            let text = try lineText(at: offset)
            guard let value = Double(text) else { throw failure("FLOAT argument \"\(text.prefix(40))\" is not a number", at: offset) }
            push(.double(value))
        case 0x47:  // BINFLOAT
            push(.double(Double(bitPattern: try reader.bigEndian(8))))
        // Text and bytes
        case 0x8C: push(try text(count: UInt64(try reader.byte()), at: offset))  // SHORT_BINUNICODE
        case 0x58: push(try text(count: try reader.littleEndian(4), at: offset))  // BINUNICODE
        case 0x8D: push(try text(count: try reader.littleEndian(8), at: offset))  // BINUNICODE8
        case 0x43: push(.bytes(Array(try reader.take(Int(try reader.byte())))))  // SHORT_BINBYTES
        case 0x42: push(.bytes(Array(try reader.take(try reader.length(try reader.littleEndian(4))))))  // BINBYTES
        case 0x8E, 0x96: push(.bytes(Array(try reader.take(try reader.length(try reader.littleEndian(8))))))  // BINBYTES8, BYTEARRAY8
        case 0x55: push(.text(try reader.take(Int(try reader.byte()))))  // SHORT_BINSTRING (Python 2 str)
        case 0x54:  // BINSTRING
            let raw = Int32(truncatingIfNeeded: try reader.littleEndian(4))
            guard raw >= 0 else { throw failure("negative BINSTRING length", at: offset) }
            push(.text(try reader.take(try reader.length(UInt64(raw)))))
        case 0x53: push(.text(try Self.quotedString(try line(), at: offset)))  // STRING (repr)
        case 0x56: push(.string(try Self.rawUnicodeEscape(try line(), at: offset)))  // UNICODE
        // Containers
        case 0x5D: stack.append(PickleNode(.list([])))  // EMPTY_LIST
        case 0x29: stack.append(PickleNode(.list([])))  // EMPTY_TUPLE
        case 0x7D: stack.append(PickleNode(.dict([])))  // EMPTY_DICT
        case 0x8F: stack.append(PickleNode(.list([])))  // EMPTY_SET
        case 0x6C, 0x74, 0x91: stack.append(PickleNode(.list(try popMark(at: offset))))  // LIST, TUPLE, FROZENSET
        case 0x85, 0x86, 0x87:  // TUPLE1, TUPLE2, TUPLE3
            let count = Int(opcode - 0x84)
            var items: [PickleNode] = []
            for _ in 0..<count { items.insert(try pop(at: offset), at: 0) }
            stack.append(PickleNode(.list(items)))
        case 0x64:  // DICT
            let items = try popMark(at: offset)
            guard items.count % 2 == 0 else { throw failure("DICT with an odd number of items", at: offset) }
            stack.append(PickleNode(.dict(stride(from: 0, to: items.count, by: 2).map { (items[$0], items[$0 + 1]) })))
        case 0x61:  // APPEND
            let item = try pop(at: offset)
            try append([item], at: offset)
        case 0x65, 0x90:  // APPENDS, ADDITEMS
            let items = try popMark(at: offset)
            try append(items, at: offset)
        case 0x73:  // SETITEM
            let value = try pop(at: offset)
            let key = try pop(at: offset)
            try setItems([(key, value)], at: offset)
        case 0x75:  // SETITEMS
            let items = try popMark(at: offset)
            guard items.count % 2 == 0 else { throw failure("SETITEMS with an odd number of items", at: offset) }
            try setItems(stride(from: 0, to: items.count, by: 2).map { (items[$0], items[$0 + 1]) }, at: offset)
        // Memo
        case 0x70: try put(try Self.index(try lineText(at: offset), at: offset), at: offset)  // PUT
        case 0x71: try put(UInt64(try reader.byte()), at: offset)  // BINPUT
        case 0x72: try put(try reader.littleEndian(4), at: offset)  // LONG_BINPUT
        case 0x94: try put(UInt64(memo.count), at: offset)  // MEMOIZE
        case 0x67: try get(try Self.index(try lineText(at: offset), at: offset), at: offset)  // GET
        case 0x68: try get(UInt64(try reader.byte()), at: offset)  // BINGET
        case 0x6A: try get(try reader.littleEndian(4), at: offset)  // LONG_BINGET
        // What would import, call or build objects: names only, nothing runs.
        case 0x63:  // GLOBAL module\nname\n
            let module = try lineText(at: offset)
            let name = try lineText(at: offset)
            stack.append(PickleNode(.global(module + "." + name)))
        case 0x93:  // STACK_GLOBAL
            let name = try pop(at: offset)
            let module = try pop(at: offset)
            guard case .scalar(.string(let nameText)) = name.content, case .scalar(.string(let moduleText)) = module.content else {
                throw failure("STACK_GLOBAL needs two strings", at: offset)
            }
            stack.append(PickleNode(.global(moduleText + "." + nameText)))
        case 0x52:  // REDUCE: callable(*args)
            let arguments = try pop(at: offset)
            let callable = try pop(at: offset)
            stack.append(Self.reduce(callable, arguments))
        case 0x81:  // NEWOBJ: cls.__new__(cls, *args)
            _ = try pop(at: offset)
            let cls = try pop(at: offset)
            stack.append(PickleNode(.opaque(cls.callableName)))
        case 0x92:  // NEWOBJ_EX
            _ = try pop(at: offset)
            _ = try pop(at: offset)
            let cls = try pop(at: offset)
            stack.append(PickleNode(.opaque(cls.callableName)))
        case 0x62:  // BUILD: obj.__setstate__(state); the object stays opaque
            _ = try pop(at: offset)
            guard let top = stack.last else { throw failure("stack underflow", at: offset) }
            if case .opaque = top.content {} else { stack[stack.count - 1] = PickleNode(.opaque(top.callableName)) }
        case 0x69:  // INST module\nname\n, arguments since the mark
            let module = try lineText(at: offset)
            let name = try lineText(at: offset)
            _ = try popMark(at: offset)
            stack.append(PickleNode(.opaque(module + "." + name)))
        case 0x6F:  // OBJ: class and arguments since the mark
            let items = try popMark(at: offset)
            guard let cls = items.first else { throw failure("OBJ without a class", at: offset) }
            stack.append(PickleNode(.opaque(cls.callableName)))
        case 0x82: stack.append(PickleNode(.opaque("copyreg extension \(try reader.byte())")))  // EXT1
        case 0x83: stack.append(PickleNode(.opaque("copyreg extension \(try reader.littleEndian(2))")))  // EXT2
        case 0x84: stack.append(PickleNode(.opaque("copyreg extension \(try reader.littleEndian(4))")))  // EXT4
        case 0x50:  // PERSID
            _ = try line()
            stack.append(PickleNode(.opaque("persistent reference")))
        case 0x51:  // BINPERSID
            _ = try pop(at: offset)
            stack.append(PickleNode(.opaque("persistent reference")))
        case 0x97: stack.append(PickleNode(.opaque("pickle.PickleBuffer")))  // NEXT_BUFFER (out-of-band)
        case 0x98:  // READONLY_BUFFER
            guard !stack.isEmpty else { throw failure("stack underflow", at: offset) }
        default:
            throw failure("unknown opcode 0x\(String(opcode, radix: 16))", at: offset)
        }
    }

    mutating func text(count: UInt64, at offset: Int) throws(ValueDecodingError) -> CacheValue {
        let bytes = try reader.take(try reader.length(count))
        guard let text = String(validating: bytes, as: UTF8.self) else { throw failure("string is not valid UTF-8", at: offset) }
        return .string(text)
    }

    mutating func append(_ items: [PickleNode], at offset: Int) throws(ValueDecodingError) {
        guard let target = stack.last else { throw failure("APPEND without a list", at: offset) }
        switch target.content {
        case .list(let existing): target.content = .list(existing + items)
        case .opaque: break  // appending to an object calls its methods: it stays opaque
        default: throw failure("APPEND to something that is not a list", at: offset)
        }
    }

    mutating func setItems(_ pairs: [(PickleNode, PickleNode)], at offset: Int) throws(ValueDecodingError) {
        guard let target = stack.last else { throw failure("SETITEM without a dict", at: offset) }
        switch target.content {
        case .dict(let existing): target.content = .dict(existing + pairs)
        case .opaque: break
        default: throw failure("SETITEM on something that is not a dict", at: offset)
        }
    }

    mutating func put(_ index: UInt64, at offset: Int) throws(ValueDecodingError) {
        guard let top = stack.last else { throw failure("memo PUT with an empty stack", at: offset) }
        memo[index] = top
    }

    mutating func get(_ index: UInt64, at offset: Int) throws(ValueDecodingError) {
        guard let node = memo[index] else { throw failure("memo GET of unknown index \(index)", at: offset) }
        stack.append(node)
    }

    /// The few pure builtins older protocols use to spell data; anything else is opaque.
    static func reduce(_ callable: PickleNode, _ arguments: PickleNode) -> PickleNode {
        let name = callable.callableName
        guard case .global = callable.content, case .list(let args) = arguments.content else {
            return PickleNode(.opaque(name))
        }
        switch name {
        case "builtins.set", "builtins.frozenset", "__builtin__.set", "__builtin__.frozenset":
            if args.isEmpty { return PickleNode(.list([])) }
            if args.count == 1, case .list = args[0].content { return PickleNode(args[0].content) }
        case "builtins.bytearray", "__builtin__.bytearray":
            if args.isEmpty { return .scalar(.bytes([])) }
            if args.count == 1, case .scalar(.bytes(let bytes)) = args[0].content { return .scalar(.bytes(bytes)) }
        case "_codecs.encode":
            // Protocol 2 writes bytes as _codecs.encode(text, "latin1").
            if args.count == 2, case .scalar(.string(let text)) = args[0].content,
               case .scalar(.string(let encoding)) = args[1].content, encoding == "latin1" || encoding == "latin-1" {
                var bytes: [UInt8] = []
                for scalar in text.unicodeScalars {
                    guard scalar.value < 256 else { return PickleNode(.opaque(name)) }
                    bytes.append(UInt8(scalar.value))
                }
                return .scalar(.bytes(bytes))
            }
        default: break
        }
        return PickleNode(.opaque(name))
    }

    static func index(_ text: String, at offset: Int) throws(ValueDecodingError) -> UInt64 {
        guard let index = UInt64(text) else { throw ValueDecodingError("pickle: memo index \"\(text.prefix(20))\" is not a number at byte \(offset)") }
        return index
    }

    /// A protocol-0 integer argument: decimal digits with an optional sign.
    static func integer(_ text: String, at offset: Int) throws(ValueDecodingError) -> CacheValue {
        if let value = Int64(text) { return .int(value) }
        let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.count <= 10_000, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw ValueDecodingError("pickle: \"\(text.prefix(40))\" is not an integer at byte \(offset)")
        }
        return .bigInt(text.hasPrefix("+") ? String(digits) : text)
    }

    /// LONG1/LONG4: little-endian two's complement.
    static func twosComplement(_ bytes: ArraySlice<UInt8>, at offset: Int) throws(ValueDecodingError) -> CacheValue {
        if bytes.isEmpty { return .int(0) }
        if bytes.count <= 8 {
            var value: UInt64 = 0
            for (shift, byte) in bytes.enumerated() { value |= UInt64(byte) << (8 * UInt64(shift)) }
            let unused = UInt64(64 - 8 * bytes.count)
            return .int(Int64(bitPattern: value << unused) >> Int64(unused))
        }
        guard bytes.count <= 4096 else { throw ValueDecodingError("pickle: integer of \(bytes.count) bytes is too large at byte \(offset)") }
        let negative = bytes.last! & 0x80 != 0
        // Magnitude as little-endian bytes (two's complement negated for negatives).
        var magnitude = Array(bytes)
        if negative {
            var carry = true
            for index in magnitude.indices {
                magnitude[index] = ~magnitude[index]
                if carry { (magnitude[index], carry) = magnitude[index].addingReportingOverflow(1) }
            }
        }
        return .bigInt((negative ? "-" : "") + decimalDigits(littleEndian: magnitude))
    }

    /// Decimal digits of an unsigned little-endian number (schoolbook division by 10^9).
    static func decimalDigits(littleEndian bytes: [UInt8]) -> String {
        var words: [UInt32] = stride(from: 0, to: bytes.count, by: 4).map { start in
            var word: UInt32 = 0
            for index in start..<min(start + 4, bytes.count) { word |= UInt32(bytes[index]) << (8 * UInt32(index - start)) }
            return word
        }
        while words.last == 0 { words.removeLast() }
        if words.isEmpty { return "0" }
        var chunks: [UInt32] = []
        while !words.isEmpty {
            var remainder: UInt64 = 0
            for index in words.indices.reversed() {
                let current = remainder << 32 | UInt64(words[index])
                words[index] = UInt32(current / 1_000_000_000)
                remainder = current % 1_000_000_000
            }
            chunks.append(UInt32(remainder))
            while words.last == 0 { words.removeLast() }
        }
        var text = String(chunks.last!)
        for chunk in chunks.dropLast().reversed() {
            let part = String(chunk)
            text += String(repeating: "0", count: 9 - part.count) + part
        }
        return text
    }

    /// A Python 2 `repr()` string literal (STRING): quotes and backslash escapes.
    static func quotedString(_ line: ArraySlice<UInt8>, at offset: Int) throws(ValueDecodingError) -> [UInt8] {
        guard line.count >= 2, let quote = line.first, quote == 0x27 || quote == 0x22, line.last == quote else {
            throw ValueDecodingError("pickle: STRING argument is not quoted at byte \(offset)")
        }
        let body = Array(line.dropFirst().dropLast())
        var out: [UInt8] = []
        var index = 0
        while index < body.count {
            let byte = body[index]
            index += 1
            guard byte == 0x5C, index < body.count else { out.append(byte); continue }
            let escape = body[index]
            index += 1
            switch escape {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "x"):
                guard index + 2 <= body.count, let value = UInt8(String(decoding: body[index..<index + 2], as: UTF8.self), radix: 16) else {
                    throw ValueDecodingError("pickle: bad \\x escape in STRING at byte \(offset)")
                }
                out.append(value)
                index += 2
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = Int(escape - UInt8(ascii: "0"))
                var digits = 1
                while digits < 3, index < body.count, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(body[index]) {
                    value = value * 8 + Int(body[index] - UInt8(ascii: "0"))
                    index += 1
                    digits += 1
                }
                out.append(UInt8(truncatingIfNeeded: value))
            default: out.append(escape)
            }
        }
        return out
    }

    /// A `raw-unicode-escape` line (UNICODE): `\uXXXX` and `\UXXXXXXXX`, other bytes Latin-1.
    static func rawUnicodeEscape(_ line: ArraySlice<UInt8>, at offset: Int) throws(ValueDecodingError) -> String {
        let bytes = Array(line)
        var scalars = String.UnicodeScalarView()
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x5C, index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") || bytes[index + 1] == UInt8(ascii: "U") {
                let width = bytes[index + 1] == UInt8(ascii: "u") ? 4 : 8
                guard index + 2 + width <= bytes.count,
                      let value = UInt32(String(decoding: bytes[index + 2..<index + 2 + width], as: UTF8.self), radix: 16),
                      let scalar = Unicode.Scalar(value) else {
                    throw ValueDecodingError("pickle: bad \\u escape in UNICODE at byte \(offset)")
                }
                scalars.append(scalar)
                index += 2 + width
            } else {
                scalars.append(Unicode.Scalar(bytes[index]))
                index += 1
            }
        }
        return String(scalars)
    }
}

// MARK: - Writing

/// Writes protocol 5 as CPython's pickler does for these types: framed, every str, bytes, list
/// and dict memoized, containers filled in batches of 1000.
private struct PickleWriter {
    static let frameTarget = 64 * 1024
    static let batch = 1000
    var output: [UInt8] = [0x80, 5]
    var frame: [UInt8] = []

    mutating func commitFrame(force: Bool = false) {
        guard !frame.isEmpty, force || frame.count >= Self.frameTarget else { return }
        if frame.count >= 4 {
            output.append(0x95)
            appendLittleEndian(UInt64(frame.count), width: 8, to: &output)
        }
        output += frame
        frame.removeAll(keepingCapacity: true)
    }

    mutating func finish() -> [UInt8] {
        frame.append(0x2E)  // STOP
        commitFrame(force: true)
        return output
    }

    mutating func save(_ value: CacheValue, depth: Int) throws {
        commitFrame()
        guard depth < 1000 else { throw CacheError(.badInput, "Cannot pickle the value: nested more than 1000 levels") }
        switch value {
        case .null: frame.append(0x4E)
        case .bool(let flag): frame.append(flag ? 0x88 : 0x89)
        case .int(let number): saveInt(number)
        case .bigInt(let digits): frame += Array("L\(digits)L\n".utf8)
        case .double(let number):
            frame.append(0x47)
            let bits = number.bitPattern
            for shift in stride(from: 56, through: 0, by: -8) { frame.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        case .string(let text):
            let bytes = Array(text.utf8)
            if bytes.count < 256 { saveBytes(header: [0x8C, UInt8(bytes.count)], bytes) } else if bytes.count <= Int(UInt32.max) {
                var header: [UInt8] = [0x58]
                appendLittleEndian(UInt64(bytes.count), width: 4, to: &header)
                saveBytes(header: header, bytes)
            } else {
                var header: [UInt8] = [0x8D]
                appendLittleEndian(UInt64(bytes.count), width: 8, to: &header)
                saveBytes(header: header, bytes)
            }
            frame.append(0x94)
        case .bytes(let bytes):
            if bytes.count < 256 { saveBytes(header: [0x43, UInt8(bytes.count)], bytes) } else if bytes.count <= Int(UInt32.max) {
                var header: [UInt8] = [0x42]
                appendLittleEndian(UInt64(bytes.count), width: 4, to: &header)
                saveBytes(header: header, bytes)
            } else {
                var header: [UInt8] = [0x8E]
                appendLittleEndian(UInt64(bytes.count), width: 8, to: &header)
                saveBytes(header: header, bytes)
            }
            frame.append(0x94)
        case .list(let items):
            frame += [0x5D, 0x94]  // EMPTY_LIST MEMOIZE
            if items.count == 1 {
                try save(items[0], depth: depth + 1)
                frame.append(0x61)  // APPEND
            } else if items.count > 1 {
                for start in stride(from: 0, to: items.count, by: Self.batch) {
                    frame.append(0x28)  // MARK
                    for item in items[start..<min(start + Self.batch, items.count)] { try save(item, depth: depth + 1) }
                    frame.append(0x65)  // APPENDS
                }
            }
        case .map(let items):
            frame += [0x7D, 0x94]  // EMPTY_DICT MEMOIZE
            if items.count == 1 {
                try save(items[0].key, depth: depth + 1)
                try save(items[0].value, depth: depth + 1)
                frame.append(0x73)  // SETITEM
            } else if items.count > 1 {
                for start in stride(from: 0, to: items.count, by: Self.batch) {
                    frame.append(0x28)
                    for item in items[start..<min(start + Self.batch, items.count)] {
                        try save(item.key, depth: depth + 1)
                        try save(item.value, depth: depth + 1)
                    }
                    frame.append(0x75)  // SETITEMS
                }
            }
        case .opaque(let name):
            throw CacheError(.badInput, "Cannot pickle an opaque \(name) value: only JSON-like values can be written")
        }
    }

    mutating func saveInt(_ number: Int64) {
        if number >= 0 && number <= 0xFF {
            frame += [0x4B, UInt8(number)]
        } else if number >= 0 && number <= 0xFFFF {
            frame += [0x4D, UInt8(number & 0xFF), UInt8(number >> 8)]
        } else if number >= Int64(Int32.min) && number <= Int64(Int32.max) {
            frame.append(0x4A)
            appendLittleEndian(UInt64(UInt32(bitPattern: Int32(number))), width: 4, to: &frame)
        } else {
            // LONG1: the shortest little-endian two's complement (Python's encode_long).
            var bytes: [UInt8] = []
            appendLittleEndian(UInt64(bitPattern: number), width: 8, to: &bytes)
            while bytes.count > 1 {
                let last = bytes[bytes.count - 1], previous = bytes[bytes.count - 2]
                if (last == 0 && previous & 0x80 == 0) || (last == 0xFF && previous & 0x80 != 0) { bytes.removeLast() } else { break }
            }
            frame += [0x8A, UInt8(bytes.count)] + bytes
        }
    }

    /// A large payload goes outside any frame, as CPython writes it.
    mutating func saveBytes(header: [UInt8], _ payload: [UInt8]) {
        if payload.count >= Self.frameTarget {
            commitFrame(force: true)
            output += header
            output += payload
        } else {
            frame += header
            frame += payload
        }
    }
}

func appendLittleEndian(_ value: UInt64, width: Int, to out: inout [UInt8]) {
    for shift in 0..<width { out.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(shift)))) }
}
