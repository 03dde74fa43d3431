import Testing
@testable import CacheClient

/// Bytes of CPython 3.11's `pickle.dumps(value, 5)` (and protocols 0 and 2), as hex.
@Suite struct PickleTests {
    static let fixtures: [(String, CacheValue)] = [
        ("80059507000000000000008c03616263942e", .string("abc")),
        ("80059509000000000000008a060000000000012e", .int(1 << 40)),
        ("80059506000000000000004afbffffff2e", .int(-5)),
        ("8005950a00000000000000473ff80000000000002e", .double(1.5)),
        ("80054e2e", .null),
        ("8005882e", .bool(true)),
        ("8005950c000000000000005d94284b018c0161944e652e", .list([.int(1), .string("a"), .null])),
        ("80059531000000000000007d94288c046e616d65948c03416461948c0474616773945d94288c0178948c017994658c016e944b038c026f6b9489752e",
         .map([.init(.string("name"), .string("Ada")), .init(.string("tags"), .list([.string("x"), .string("y")])),
               .init(.string("n"), .int(3)), .init(.string("ok"), .bool(false))])),
        ("8005952b000000000000007d948c0161947d948c0162945d94284b015d94284b027d948c01639447400a00000000000073656573732e",
         .map([.init(.string("a"), .map([.init(.string("b"), .list([.int(1), .list([.int(2), .map([.init(.string("c"), .double(3.25))])])]))]))])),
        ("8005950600000000000000430200ff942e", .bytes([0, 255])),
        ("8005950e000000000000008c0a68c3a9e29883f09f9880942e", .string("h\u{e9}\u{2603}\u{1F600}")),
        ("80055d942e", .list([])),
        ("80057d942e", .map([])),
        ("80059506000000000000005d944b07612e", .list([.int(7)])),
        ("8005950b000000000000008a0800000000000000802e", .int(.min)),
        ("80059504000000000000004dffff2e", .int(65535)),
        ("80059506000000000000004a90eefeff2e", .int(-70000)),
    ]

    @Test(arguments: fixtures) func decodesCPythonOutput(_ hex: String, _ expected: CacheValue) throws {
        #expect(try Pickle.decode(hexBytes(hex)) == expected)
    }

    @Test(arguments: fixtures) func encodesAsCPythonDoes(_ hex: String, _ value: CacheValue) throws {
        #expect(try Pickle.encode(value) == hexBytes(hex))
    }

    @Test func longStringsUseBinUnicode() throws {
        let value = CacheValue.string(String(repeating: "x", count: 300))
        let encoded = try Pickle.encode(value)
        #expect(Array(encoded.prefix(16)) == hexBytes("8005953301000000000000582c010000"))
        #expect(try Pickle.decode(encoded) == value)
    }

    @Test func bigIntegersKeepEveryDigit() throws {
        #expect(try Pickle.decode(hexBytes("80059510000000000000008a0d000000000000000000000000102e")) == .bigInt("1267650600228229401496703205376"))
        #expect(try Pickle.decode(Pickle.encode(.bigInt("-1267650600228229401496703205376"))) == .bigInt("-1267650600228229401496703205376"))
    }

    @Test func objectsAreOpaqueWithTheirClassName() throws {
        // datetime.datetime(2024, 1, 2, 3, 4, 5): STACK_GLOBAL + REDUCE
        #expect(try Pickle.decode(hexBytes("8005952a000000000000008c086461746574696d65948c086461746574696d65949394430a07e8010203040500000094859452942e"))
            == .opaque("datetime.datetime"))
        // collections.OrderedDict(a=1): REDUCE then SETITEM on the object
        #expect(try Pickle.decode(hexBytes("80059529000000000000008c0b636f6c6c656374696f6e73948c0b4f726465726564446963749493942952948c0161944b01732e"))
            == .opaque("collections.OrderedDict"))
        // GLOBAL os.system + REDUCE: named, never called
        let evil = Array("cos\nsystem\n(S'touch /tmp/pwned'\ntR.".utf8)
        #expect(try Pickle.decode(evil) == .opaque("os.system"))
    }

    @Test func olderProtocolsDecode() throws {
        let expected = CacheValue.map([.init(.string("a"), .list([.int(1), .double(2.5), .string("s"), .null, .bool(true)])),
                                       .init(.string("b"), .bytes(Array("x".utf8)))])
        #expect(try Pickle.decode(hexBytes("286470300a56610a70310a286c70320a49310a6146322e350a6156730a70330a614e614930310a617356620a70340a635f636f646563730a656e636f64650a70350a2856780a70360a566c6174696e310a70370a7470380a5270390a732e")) == expected)
        var withSet = expected
        if case .map(var items) = withSet { items.append(.init(.string("s"), .list([.int(1)]))); withSet = .map(items) }
        #expect(try Pickle.decode(hexBytes("80027d71002858010000006171015d7102284b0147400400000000000058010000007371034e88655801000000627104635f636f646563730a656e636f64650a7105580100000078710658060000006c6174696e3171078671085271096803635f5f6275696c74696e5f5f0a7365740a710a5d710b4b016185710c52710d752e")) == withSet)
    }

    @Test func sharedAndRecursiveReferences() throws {
        #expect(try Pickle.decode(hexBytes("8005950c00000000000000284b014b024b034b0474942e")) == .list([.int(1), .int(2), .int(3), .int(4)]))
        #expect(try Pickle.decode(hexBytes("8005950f000000000000005d94285d944b01615d944b0161652e")) == .list([.list([.int(1)]), .list([.int(1)])]))
        #expect(try Pickle.decode(hexBytes("80059506000000000000005d946800612e")) == .list([.opaque("recursive reference")]))
    }

    @Test func memoBombsHitTheSizeLimit() throws {
        // Each level is a list holding the previous one twice (DUP): 2^40 values from 200 bytes.
        var pickle: [UInt8] = [0x80, 5, 0x5D]
        for _ in 0..<40 { pickle += [0x32, 0x86] }
        pickle.append(0x2E)
        #expect(throws: ValueDecodingError.self) { try Pickle.decode(pickle) }
    }

    @Test func deepNestingIsRefused() throws {
        var pickle: [UInt8] = [0x80, 5]
        pickle += Array(repeating: 0x5D, count: 10_000)
        pickle += Array(repeating: 0x61, count: 9_999)
        pickle.append(0x2E)
        #expect(throws: ValueDecodingError.self) { try Pickle.decode(pickle) }
    }

    @Test(arguments: ["", "80", "8005", "80054e", "8006", "80054b", "8005ff2e", "80058c05616263", "800561", "8005282e", "80054e4e2e", "80055d68052e"])
    func malformedInputIsAClearError(_ hex: String) {
        #expect(throws: ValueDecodingError.self) { try Pickle.decode(hexBytes(hex)) }
    }

    @Test func opaqueValuesCannotBeWritten() {
        #expect(throws: CacheError.self) { try Pickle.encode(.opaque("x.Y")) }
    }
}

func hexBytes(_ hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        out.append(UInt8(hex[index..<next], radix: 16)!)
        index = next
    }
    return out
}
