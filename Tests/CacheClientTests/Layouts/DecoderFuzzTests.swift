import Testing
@testable import CacheClient

/// Seeded mutation fuzzing of every decoder: thousands of corrupted variants of valid inputs
/// (bit flips, truncations, spliced bytes, inflated lengths) must each decode or throw
/// `ValueDecodingError`, within the limits, never crash or hang.
@Suite struct DecoderFuzzTests {
    static let iterations = 4000

    static var seeds: [(String, [[UInt8]])] {
        let pickles = PickleTests.fixtures.map { hexBytes($0.0) } + [
            hexBytes("8005952a000000000000008c086461746574696d65948c086461746574696d65949394430a07e8010203040500000094859452942e"),
            hexBytes("80027d71002858010000006171015d7102284b0147400400000000000058010000007371034e88655801000000627104635f636f646563730a656e636f64650a7105580100000078710658060000006c6174696e3171078671085271096803635f5f6275696c74696e5f5f0a7365740a710a5d710b4b016185710c52710d752e"),
            Array("cos\nsystem\n(S'x'\ntR.".utf8),
        ]
        let serialized = PHPSerializationTests.fixtures.map { hexBytes($0.0) } + [
            Array("a:2:{s:1:\"x\";O:8:\"stdClass\":1:{s:1:\"a\";i:1;}s:1:\"y\";r:2;}".utf8),
        ]
        let igbinary = PHPSerializationTests.fixtures.map { hexBytes($0.1) } + [
            hexBytes("0000000214021101781708737464436c617373140111016106011101792201"),
            hexBytes("00000002170453756974271106486561727473"),
        ]
        let envelopes = serialized.prefix(6).map { SymfonyEnvelope.wrap(value: $0, tags: Array("a:1:{i:0;s:1:\"t\";}".utf8)) }
        let json = [Array(#"{"a":[1,2.5,"x",null,true,{"b":"\u00e9"}],"n":-12345678901234567890}"#.utf8)]
        return [("pickle", pickles), ("serialize", serialized), ("igbinary", igbinary), ("symfony", envelopes), ("json", json)]
    }

    static func decode(_ format: String, _ bytes: [UInt8]) throws(ValueDecodingError) {
        let limits = DecodingLimits(maximumDepth: 64, maximumValues: 50_000)
        switch format {
        case "pickle": _ = try Pickle.decode(bytes, limits: limits)
        case "serialize": _ = try PHPSerialization.decode(bytes, limits: limits)
        case "igbinary": _ = try Igbinary.decode(bytes, limits: limits)
        case "symfony": _ = try ValueCodec.symfony.decode(bytes, limits: limits)
        default: _ = try CacheValue.parseJSON(bytes, limits: limits)
        }
    }

    @Test(arguments: seeds.map(\.0)) func mutatedInputNeverCrashes(_ format: String) {
        let corpus = Self.seeds.first { $0.0 == format }!.1
        var random = SplitMix(seed: 0xC0FFEE ^ UInt64(format.utf8.reduce(0) { $0 &* 31 &+ Int($1) } & 0xFFFF))
        var decoded = 0, refused = 0
        for _ in 0..<Self.iterations {
            var input = corpus[Int(random.next() % UInt64(corpus.count))]
            for _ in 0...(random.next() % 4) { Self.mutate(&input, &random) }
            do throws(ValueDecodingError) {
                try Self.decode(format, input)
                decoded += 1
            } catch {
                #expect(!error.reason.isEmpty)
                refused += 1
            }
        }
        #expect(decoded + refused == Self.iterations)
        #expect(refused > 0)
    }

    @Test func randomBytesNeverCrash() {
        var random = SplitMix(seed: 42)
        for _ in 0..<Self.iterations {
            let count = Int(random.next() % 64)
            var input = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            // Give half of them a valid header so the decoders get past the first byte.
            if random.next() % 2 == 0 { input = [0x80, 5] + input }
            for format in ["pickle", "serialize", "igbinary", "symfony", "json"] {
                do throws(ValueDecodingError) { try Self.decode(format, input) } catch { #expect(!error.reason.isEmpty) }
            }
        }
    }

    static func mutate(_ input: inout [UInt8], _ random: inout SplitMix) {
        guard !input.isEmpty else { input = [UInt8(truncatingIfNeeded: random.next())]; return }
        let at = Int(random.next() % UInt64(input.count))
        switch random.next() % 6 {
        case 0: input[at] ^= UInt8(1 << (random.next() % 8))
        case 1: input.removeSubrange(at...)
        case 2: input.insert(UInt8(truncatingIfNeeded: random.next()), at: at)
        case 3: input[at] = [0x00, 0xFF, 0x7F, 0x80, 0x28, 0x2E, 0x3A, 0x3B, 0x7B, 0x7D][Int(random.next() % 10)]
        case 4: input.remove(at: at)
        default:
            // Inflate what may be a length: a large value where a small one was.
            input[at] = 0xFF
            if at + 1 < input.count { input[at + 1] = 0xFF }
        }
    }
}

/// A small deterministic generator: the same seed gives the same inputs on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}
