import CacheClient
import Foundation
import Testing

/// Every number from outside is range-checked and every JSON number follows RFC 8259.
@Suite struct InputRangeTests {
    static let tooLarge = ["1e300s", "1e19ms", "9.3e15s", "9223372036854775807s", "99999999999999999999", "36501d",
                           "876001h", "52560001m"]
    static let malformed = ["0x10s", "+5m", "-5m", "5 m", " 5m", "5m ", "1.e5s", ".5s", "5.s", "1e3s", "inf", "nan", "infs",
                            "5mm", "", "s", "1_000s", "５s", "0s", "0", "0.0001ms"]

    @Test(arguments: tooLarge + malformed)
    func durationOutsideTheGrammarOrRangeIsRefused(text: String) {
        #expect(Duration.milliseconds(parsing: text) == nil || Duration.milliseconds(parsing: text)! <= 0)
        #expect(Expiry(parsing: text) == nil)
    }

    @Test func durationsWithinRangeParse() {
        #expect(Duration.milliseconds(parsing: "300") == 300_000)
        #expect(Duration.milliseconds(parsing: "1.5s") == 1500)
        #expect(Duration.milliseconds(parsing: "250ms") == 250)
        #expect(Duration.milliseconds(parsing: "5m") == 300_000)
        let century: Int64 = 36_500 * 86_400_000
        #expect(Duration.milliseconds(parsing: "36500d") == century)
        #expect(Expiry(parsing: "none") == .never)
        #expect(Expiry(parsing: "1h") == .seconds(3600))
    }

    @Test(arguments: ["\"1e300s\"", "\"1e19ms\"", "\"9.3e15s\"", "\"0x10s\"", "\"+5m\"", "1e300", "9.3e15", "1e19",
                      "999999999999999", "3153600001", "-5", "0"])
    func manifestTTLOutsideRangeIsAnError(ttl: String) {
        #expect(throws: EntryFormatError.self) {
            _ = try EntryJSON.decode(line: #"{"key":"k","value":"v","ttl":\#(ttl)}"#, defaultExpiry: .seconds(300))
        }
    }

    @Test(arguments: ["01", "-01", "1.e5", ".5", "1.", "-", "1e", "1e+", "+1", "0x10", "Infinity", "NaN", "--1", "1e5e5",
                      "1.5.5", "00", "-.5", "1E", "0e", "- 1", "1.0e+-5"])
    func invalidJSONNumbersAreRefused(number: String) {
        #expect(throws: EntryFormatError.self) {
            _ = try EntryJSON.decode(line: #"{"key":"k","value":\#(number)}"#, defaultExpiry: .seconds(300))
        }
        #expect(throws: EntryFormatError.self) {
            _ = try EntryJSON.decode(line: #"{"key":"k","value":"v","other":[\#(number)]}"#, defaultExpiry: .seconds(300))
        }
    }

    @Test(arguments: ["0", "-0", "1.5e-3", "1E+2", "-1.0e10", "123", "0.5", "1e5", "-0.0"])
    func validJSONNumbersAreKeptVerbatim(number: String) throws {
        let entry = try EntryJSON.decode(line: #"{"key":"k","value":\#(number)}"#, defaultExpiry: .seconds(300))
        #expect(entry.value == Array(number.utf8))
    }

    @Test func numericTTLsWithinRangeParse() throws {
        let decode = { (ttl: String) in try EntryJSON.decode(line: #"{"key":"k","value":"v","ttl":\#(ttl)}"#, defaultExpiry: .never).expiry }
        #expect(try decode("300") == .seconds(300))
        #expect(try decode("1.5") == .milliseconds(1500))
        #expect(try decode("1e3") == .seconds(1000))
        #expect(try decode("3153600000") == .seconds(3_153_600_000))
        #expect(try decode("\"5m\"") == .seconds(300))
    }

    @Test(arguments: ["1e300s", "1e19ms", "9.3e15s", "0x10s", "+5m"])
    func csvTTLOutsideRangeIsAnInvalidLine(ttl: String) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-range-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("key,value,ttl\nk,v,\(ttl)\n".utf8).write(to: URL(fileURLWithPath: path))
        let reader = EntryFormat.reader(.csv, lines: try LineReader(path: path), defaults: EntryDefaults(expiry: .seconds(1)))
        guard case .invalid(let line, let reason)? = try reader.next() else {
            Issue.record("ttl \(ttl) was accepted")
            return
        }
        #expect(line == 2)
        #expect(reason.contains(ttl))
    }
}
