import CacheClient
import Foundation
import Testing

/// A seeded mutation run over the manifest readers and the duration parser: thousands of damaged
/// inputs, each must end as an entry within range or as a reason (exit 65 at the CLI), never a
/// crash or a hang. `CACHECTL_FUZZ_SEED` replays another seed.
@Suite(.timeLimit(.minutes(1))) struct ManifestMutationTests {
    static let seed = ProcessInfo.processInfo.environment["CACHECTL_FUZZ_SEED"].flatMap(UInt64.init) ?? 0x9B_2026
    /// The longest lifetime any reader may hand on (100 years, as documented).
    static let maximumMilliseconds: Int64 = 36_500 * 86_400_000

    static let jsonSeeds = [
        #"{"key":"article:1","value":"<p>hello</p>","ttl":300,"tags":["articles","article:1"]}"#,
        #"{"key":"n","value":{"a":[1,2.5e3,-0.5,true,null],"b":"\u00e9\n"},"ttl":"5m"}"#,
        #"{"key":"b","value_base64":"AP8=","ttl":null}"#,
        #"{"key":"f","value":12.5,"ttl":1.5,"tags":[]}"#,
        #"{"key":"s","type":"set","members":["a","b"],"ttl":60}"#,
        #"{"key":"z","type":"zset","members":[["a",1.5],["b",-2]],"ttl":"1h"}"#,
        #"{"key":"h","type":"hash","fields":{"f":"v","g":"w"}}"#,
    ]
    static let csvSeeds = [
        "key,value,ttl,tags\narticle:1,hello,300,articles|article:1\n\"q,k\",\"va\"\"l\",5m,\nn,v,none,a\n",
        "tags,key,value\nx|y,k,v\n",
    ]
    /// Fragments that broke parsers before: huge exponents, signs, hex, escapes, surrogates.
    static let splices = ["1e300", "\"1e19ms\"", "\"9.3e15s\"", "\"0x10s\"", "\"+5m\"", "01", "-01", "1.e5", "9999999999999999999",
                          "\\u", "\\uD800", "\"\\uDC00\"", "null", "[", "{", "]", "}", ",", ":", "\"", "\\", "\u{0}", "\u{FF}",
                          "-", "e", "E", ".", "+", "0", "9", "\"ttl\":", "\"value\":", "\"key\":", "\"\"", "|", "\r", "\n", "\"\n"]

    @Test func mutatedJSONLinesNeverCrashAndStayInRange() throws {
        var random = SplitMix64(seed: Self.seed)
        var entries = 0, errors = 0
        for _ in 0..<20_000 {
            let line = mutate(Array(Self.jsonSeeds[Int(random.next() % UInt64(Self.jsonSeeds.count))].utf8), &random)
            do {
                let entry = try EntryJSON.decode(line: line, defaultExpiry: .seconds(300))
                try checkRange(entry, input: line)
                entries += 1
            } catch is EntryFormatError {
                errors += 1
            }
        }
        // Both outcomes must occur, or the mutations test nothing.
        #expect(entries > 100 && errors > 100, "seed \(Self.seed): \(entries) entries, \(errors) errors")
    }

    @Test func mutatedCSVNeverCrashesAndStaysInRange() throws {
        var random = SplitMix64(seed: Self.seed ^ 0xC5F)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-mutation-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var entries = 0, invalid = 0
        for _ in 0..<5_000 {
            let text = mutate(Array(Self.csvSeeds[Int(random.next() % UInt64(Self.csvSeeds.count))].utf8), &random)
            try Data(text).write(to: URL(fileURLWithPath: path))
            // A small buffer: the default megabyte per reader would dominate the run.
            let descriptor = open(path, O_RDONLY)
            let lines = LineReader(descriptor: descriptor, name: path, closing: true, bufferSize: 4096)
            let reader = EntryFormat.reader(.csv, lines: lines, defaults: EntryDefaults(expiry: .seconds(300)))
            do {
                while let item = try reader.next() {
                    switch item {
                    case .entry(let entry, _):
                        try checkRange(entry, input: text)
                        entries += 1
                    case .invalid: invalid += 1
                    }
                }
            } catch let error as CacheError {
                // A header the reader cannot use is bad input (65), nothing else.
                #expect(error.kind == .badInput, "seed \(Self.seed): \(error) for \(String(decoding: text, as: UTF8.self).debugDescription)")
                invalid += 1
            }
        }
        #expect(entries > 100 && invalid > 100, "seed \(Self.seed): \(entries) entries, \(invalid) invalid")
    }

    @Test func mutatedDurationsNeverCrashAndStayInRange() {
        var random = SplitMix64(seed: Self.seed ^ 0xD0)
        let seeds = ["300", "5m", "1.5s", "250ms", "36500d", "none", "1h", "2d"]
        for _ in 0..<10_000 {
            let text = String(decoding: mutate(Array(seeds[Int(random.next() % UInt64(seeds.count))].utf8), &random), as: UTF8.self)
            if let ms = Duration.milliseconds(parsing: text) {
                #expect(ms >= 0 && ms <= Self.maximumMilliseconds, "seed \(Self.seed): \(text.debugDescription) → \(ms) ms")
            }
            if case .milliseconds(let ms)? = Expiry(parsing: text) {
                #expect(ms > 0 && ms <= Self.maximumMilliseconds, "seed \(Self.seed): \(text.debugDescription) → \(ms) ms")
            }
        }
    }

    private func checkRange(_ entry: Entry, input: [UInt8]) throws {
        if case .milliseconds(let ms) = entry.expiry {
            #expect(ms > 0 && ms <= Self.maximumMilliseconds,
                    "seed \(Self.seed): \(String(decoding: input, as: UTF8.self).debugDescription) → ttl \(ms) ms")
        }
        #expect(!entry.key.isEmpty)
    }

    /// One to four random edits: flip, insert, delete, duplicate or splice a known-bad fragment.
    private func mutate(_ input: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0...(random.next() % 4) {
            let position = bytes.isEmpty ? 0 : Int(random.next() % UInt64(bytes.count + 1))
            switch random.next() % 5 {
            case 0 where position < bytes.count: bytes[position] ^= UInt8(1 << (random.next() % 8))
            case 1: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: position)
            case 2 where position < bytes.count:
                bytes.removeSubrange(position..<min(bytes.count, position + 1 + Int(random.next() % 8)))
            case 3 where position < bytes.count:
                let end = min(bytes.count, position + 1 + Int(random.next() % 16))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            default:
                let splice = Self.splices[Int(random.next() % UInt64(Self.splices.count))]
                bytes.insert(contentsOf: Array(splice.utf8), at: position)
            }
        }
        return bytes
    }
}

/// A small, fast, seedable generator (SplitMix64), so a failure replays exactly.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
