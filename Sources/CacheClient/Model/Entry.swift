/// One cache entry: key, value bytes, lifetime and tags.
///
/// The same value travels everywhere: a `set`, a warmup manifest line, a migrate record and
/// a `get` result. When read back, `expiry` is the remaining lifetime and `tags` is nil when the
/// backend cannot tell which tags hold the key (Redis indexes tag → keys only).
public struct Entry: Sendable, Equatable {
    /// The key as the application names it, without the key prefix.
    public var key: String
    /// The value bytes, binary-safe.
    public var value: [UInt8]
    /// The lifetime (when writing) or remaining lifetime (when read).
    public var expiry: Expiry
    /// The tags; nil when unknown.
    public var tags: [String]?
    /// Whether `value` is the compact JSON text of a non-string value (a manifest's number,
    /// object, array, boolean or null), so a framework layout writes that value, not a string.
    public var valueIsJSON = false
    /// The value decoded from a framework layout's encoding (`value` then holds the stored bytes).
    public var decoded: CacheValue?
    /// Why the stored bytes could not be decoded in the layout's format, when they could not.
    public var decodingFailure: String?

    /// Creates an entry.
    public init(key: String, value: [UInt8], expiry: Expiry, tags: [String]? = nil) {
        self.key = key
        self.value = value
        self.expiry = expiry
        self.tags = tags
    }

    /// Entries are equal when key, value bytes, lifetime and tags are; how the value was given
    /// or decoded does not count.
    public static func == (lhs: Entry, rhs: Entry) -> Bool {
        lhs.key == rhs.key && lhs.value == rhs.value && lhs.expiry == rhs.expiry && lhs.tags == rhs.tags
    }

    /// The value as a framework layout writes it: the decoded value when it was read from one,
    /// the JSON value for a manifest's non-string value, else text (or bytes that are not UTF-8).
    public func cacheValue() throws -> CacheValue {
        if let decoded { return decoded }
        if valueIsJSON {
            do throws(ValueDecodingError) {
                return try CacheValue.parseJSON(value)
            } catch {
                throw CacheError(.badInput, "The value of \"\(key)\" is not valid JSON: \(error.reason)")
            }
        }
        return .text(value)
    }

    /// The entry with its value marked as JSON, after checking that it is: `set --json`.
    public static func json(_ entry: Entry) throws -> Entry {
        var marked = entry
        marked.valueIsJSON = true
        _ = try marked.cacheValue()
        return marked
    }

    /// The value as UTF-8 text, or nil when the bytes are not valid UTF-8.
    public var text: String? {
        String(validating: value, as: UTF8.self)
    }
}
