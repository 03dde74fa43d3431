import Foundation
import Testing
@testable import CacheClient

@Suite struct EntryJSONTests {
    let fallback = Expiry.seconds(300)

    @Test func stringValueIsItsUTF8() throws {
        let entry = try EntryJSON.decode(line: #"{"key": "article:1", "value": "Grüße \"x\"\n", "ttl": 60, "tags": ["articles", "article:1"]}"#, defaultExpiry: fallback)
        #expect(entry == Entry(key: "article:1", value: Array("Grüße \"x\"\n".utf8), expiry: .seconds(60), tags: ["articles", "article:1"]))
    }

    @Test func otherValuesAreCompactJSONInOrder() throws {
        let entry = try EntryJSON.decode(line: #"{"key":"k","value": {"b": 1, "a": [true, null, 2.5e3, "x y"]}}"#, defaultExpiry: fallback)
        #expect(entry.text == #"{"b":1,"a":[true,null,2.5e3,"x y"]}"#)
        #expect(entry.expiry == fallback)
        #expect(entry.tags == nil)
    }

    @Test func nullTTLMeansNoExpiry() throws {
        #expect(try EntryJSON.decode(line: #"{"key":"k","value":1,"ttl":null}"#, defaultExpiry: fallback).expiry == .never)
    }

    @Test func base64Values() throws {
        let entry = try EntryJSON.decode(line: #"{"key":"k","value_base64":"AP8="}"#, defaultExpiry: fallback)
        #expect(entry.value == [0, 255])
    }

    @Test func unicodeEscapesAndSurrogates() throws {
        let entry = try EntryJSON.decode(line: #"{"key":"\u00e9\ud83d\ude00","value":"\t"}"#, defaultExpiry: fallback)
        #expect(entry.key == "é😀")
    }

    @Test(arguments: [
        ("not json", "expected a JSON object"),
        (#"{"value":"v"}"#, "missing \"key\""),
        (#"{"key":"k"}"#, "missing \"value\""),
        (#"{"key":"","value":1}"#, "\"key\" is empty"),
        (#"{"key":1,"value":1}"#, "\"key\" must be a string"),
        (#"{"key":"k","value":1,"ttl":-5}"#, "\"ttl\" must be a positive"),
        (#"{"key":"k","value":1,"ttl":"soon"}"#, "\"ttl\" must be a positive"),
        (#"{"key":"k","value":1,"tags":"a"}"#, "\"tags\" must be an array"),
        (#"{"key":"k","value_base64":"!!"}"#, "not valid base64"),
        (#"{"key":"k","value":1,"value_base64":"AA=="}"#, "not both"),
        (#"{"key":"k","value":[1,}"#, "column"),
        (#"{"key":"k","value":1} x"#, "unexpected text"),
        (#"{"key":"k","key":"j","value":1}"#, "appears twice"),
    ])
    func reportsWhatIsWrong(line: String, reason: String) {
        do {
            _ = try EntryJSON.decode(line: line, defaultExpiry: fallback)
            Issue.record("accepted \(line)")
        } catch {
            #expect(error.reason.contains(reason), "\(error.reason)")
        }
    }

    @Test func encodeThenDecodeRoundTrips() throws {
        let entries = [
            Entry(key: "a b ü", value: Array("line\n\"q\"\u{1}".utf8), expiry: .seconds(42), tags: ["t1", "t 2"]),
            Entry(key: "bin", value: [0, 159, 146, 150, 255], expiry: .never, tags: nil),
        ]
        for entry in entries {
            let line = EntryJSON.line(entry)
            let back = try EntryJSON.decode(line: line, defaultExpiry: fallback)
            #expect(back == entry)
            #expect(try JSONSerialization.jsonObject(with: Data(line.utf8)) is [String: Any])
        }
    }
}
