import Testing
@testable import CacheClient

/// Bytes of PHP 8.2's `serialize()` and igbinary 3.2's `igbinary_serialize()`, as hex.
@Suite struct PHPSerializationTests {
    static let fixtures: [(String, String, CacheValue)] = [
        ("733a333a22616263223b", "000000021103616263", .string("abc")),
        ("693a34323b", "00000002062a", .int(42)),
        ("693a2d373b", "000000020707", .int(-7)),
        ("643a312e353b", "000000020c3ff8000000000000", .double(1.5)),
        ("643a302e313b", "000000020c3fb999999999999a", .double(0.1)),
        ("643a312e30452b32353b", "000000020c45208b2a2c280291", .double(1e25)),
        ("643a312e30452d353b", "000000020c3ee4f8b588e368f1", .double(1e-5)),
        ("4e3b", "0000000200", .null),
        ("623a313b", "0000000205", .bool(true)),
        ("623a303b", "0000000204", .bool(false)),
        ("613a333a7b693a303b693a313b693a313b733a313a2261223b693a323b4e3b7d", "000000021403060006010601110161060200", .list([.int(1), .string("a"), .null])),
        ("613a343a7b733a343a226e616d65223b733a333a22416461223b733a343a2274616773223b613a323a7b693a303b733a313a2278223b693a313b733a313a2279223b7d733a313a226e223b693a333b733a323a226f6b223b623a303b7d",
         "00000002140411046e616d65110341646111047461677314020600110178060111017911016e060311026f6b04",
         .map([.init(.string("name"), .string("Ada")), .init(.string("tags"), .list([.string("x"), .string("y")])),
               .init(.string("n"), .int(3)), .init(.string("ok"), .bool(false))])),
        ("613a313a7b733a313a2261223b613a313a7b733a313a2262223b613a323a7b693a303b693a313b693a313b613a323a7b693a303b693a323b693a313b613a313a7b733a313a2263223b643a332e32353b7d7d7d7d7d",
         "00000002140111016114011101621402060006010601140206000602060114011101630c400a000000000000",
         .map([.init(.string("a"), .map([.init(.string("b"), .list([.int(1), .list([.int(2), .map([.init(.string("c"), .double(3.25))])])]))]))])),
        ("733a363a2268c3a9e29883223b", "00000002110668c3a9e29883", .string("h\u{e9}\u{2603}")),
        ("613a323a7b693a353b733a313a2261223b693a373b733a313a2262223b7d", "00000002140206051101610607110162", .map([.init(.int(5), .string("a")), .init(.int(7), .string("b"))])),
        ("613a303a7b7d", "000000021400", .list([])),
    ]

    @Test(arguments: fixtures) func decodesBothFormats(_ serialized: String, _ igbinary: String, _ expected: CacheValue) throws {
        #expect(try PHPSerialization.decode(hexBytes(serialized)) == expected)
        #expect(try Igbinary.decode(hexBytes(igbinary)) == expected)
    }

    @Test(arguments: fixtures) func encodesAsPHPDoes(_ serialized: String, _ igbinary: String, _ value: CacheValue) throws {
        if case .list([]) = value { return }  // an empty map and an empty list are the same PHP array
        #expect(try PHPSerialization.encode(value) == hexBytes(serialized))
    }

    @Test(arguments: [(1.0, "1"), (100.0, "100"), (1e15, "1000000000000000"), (1e16, "10000000000000000"), (1e17, "1.0E+17"),
                      (0.0001, "0.0001"), (0.00012, "0.00012"), (123456.789, "123456.789"), (-2.5e-7, "-2.5E-7"),
                      (5e-324, "5.0E-324"), (1.7976931348623157e308, "1.7976931348623157E+308")])
    func floatsAsPHPWritesThem(_ number: Double, _ text: String) {
        #expect(PHPSerialization.phpFloat(number) == text)
    }

    @Test func objectsAreOpaqueAndReferencesResolve() throws {
        let value = try PHPSerialization.decode(hexBytes("613a323a7b733a313a2278223b4f3a383a22737464436c617373223a313a7b733a313a2261223b693a313b7d733a313a2279223b723a323b7d"))
        #expect(value == .map([.init(.string("x"), .opaque("stdClass")), .init(.string("y"), .opaque("stdClass"))]))
        #expect(try Igbinary.decode(hexBytes("0000000214021101781708737464436c617373140111016106011101792201")) == value)
        #expect(try PHPSerialization.decode(hexBytes("4f3a383a224461746554696d65223a333a7b733a343a2264617465223b733a32363a22323032342d30312d30322030333a30343a30352e303030303030223b733a31333a2274696d657a6f6e655f74797065223b693a333b733a383a2274696d657a6f6e65223b733a333a22555443223b7d")) == .opaque("DateTime"))
        #expect(try PHPSerialization.decode(Array("C:11:\"ArrayObject\":4:{x:i0}".utf8)) == .opaque("ArrayObject"))
        #expect(try PHPSerialization.decode(Array("E:11:\"Suit:Hearts\";".utf8)) == .opaque("Suit:Hearts"))
        // igbinary: an enum case, a Serializable payload
        #expect(try Igbinary.decode(hexBytes("00000002170453756974271106486561727473")) == .opaque("Suit::Hearts"))
        #expect(try Igbinary.decode(hexBytes("000000021701501d027879")) == .opaque("P"))
    }

    @Test func referenceBombsHitTheSizeLimit() throws {
        // Each element is an array of two references to the element before it: 2^40 values from 1 KB.
        var text = "a:41:{i:0;a:2:{i:0;i:1;i:1;i:1;}"
        for k in 1...40 { text += "i:\(k);a:2:{i:0;r:\(2 + 3 * (k - 1));i:1;r:\(2 + 3 * (k - 1));}" }
        text += "}"
        #expect(throws: ValueDecodingError.self) { try PHPSerialization.decode(Array(text.utf8)) }
        // The same shape, shallow enough, decodes with every reference resolved.
        let small = "a:2:{i:0;a:1:{i:0;s:1:\"x\";}i:1;r:2;}"
        #expect(try PHPSerialization.decode(Array(small.utf8)) == .list([.list([.string("x")]), .list([.string("x")])]))
    }

    @Test(arguments: ["", "N", "i:;", "i:12", "s:5:\"abc\";", "s:-1:\"\";", "a:1:{i:0;}", "a:99999999999:{}", "b:2;", "d:x;", "r:9;", "O:1:\"A\":1:{}", "x:1;", "N;N;", "s:3:\"abc\"", "i:99999999999999999999;"])
    func malformedSerializeIsAClearError(_ text: String) {
        #expect(throws: ValueDecodingError.self) { try PHPSerialization.decode(Array(text.utf8)) }
    }

    @Test(arguments: ["", "00000002", "0000000311", "000000021105", "0000000214", "0000000214010601", "000000020e00", "00000002ff", "0000000222", "000000020600ff"])
    func malformedIgbinaryIsAClearError(_ hex: String) {
        #expect(throws: ValueDecodingError.self) { try Igbinary.decode(hexBytes(hex)) }
    }

    @Test func isNumericMatchesPHP() {
        for yes in ["42", "-1", "+1.5", " 7", "7 ", "1e3", ".5", "5.", "0x1A".prefix(1).description] { #expect(PHPSerialization.isNumeric(Array(yes.utf8)), "\(yes)") }
        for no in ["", " ", "abc", "1e", "0x1A", "1_000", ".", "-", "1 2", "e5"] { #expect(!PHPSerialization.isNumeric(Array(no.utf8)), "\(no)") }
    }
}
