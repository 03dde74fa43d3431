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

    /// Creates an entry.
    public init(key: String, value: [UInt8], expiry: Expiry, tags: [String]? = nil) {
        self.key = key
        self.value = value
        self.expiry = expiry
        self.tags = tags
    }

    /// The value as UTF-8 text, or nil when the bytes are not valid UTF-8.
    public var text: String? {
        String(validating: value, as: UTF8.self)
    }
}
