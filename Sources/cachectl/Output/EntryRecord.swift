import CacheClient
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// An entry in the one entry format, plus its size: the element of `get --format json`.
struct EntryRecord: Encodable {
    let entry: Entry

    private enum Keys: String, CodingKey { case key, value, valueBase64 = "value_base64", ttl, tags, size, decodingError = "decoding_error" }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(entry.key, forKey: .key)
        if let decoded = entry.decoded {
            // A framework layout: the value the application reads, as JSON.
            try container.encode(decoded, forKey: .value)
        } else if let text = entry.text {
            try container.encode(text, forKey: .value)
        } else {
            try container.encode(Data(entry.value).base64EncodedString(), forKey: .valueBase64)
        }
        try container.encode(Nullable(entry.expiry.seconds), forKey: .ttl)
        try container.encodeIfPresent(entry.tags, forKey: .tags)
        try container.encode(entry.value.count, forKey: .size)
        try container.encodeIfPresent(entry.decodingFailure, forKey: .decodingError)
    }
}
