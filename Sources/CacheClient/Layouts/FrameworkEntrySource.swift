/// A framework's cache as a migrate source: the entries under its namespace (never its tag
/// structures), decoded, so a target in another layout re-encodes them. Symfony entries bring
/// the tags their envelope names; Laravel's and Django's bring none.
public final class FrameworkEntrySource: EntrySource {
    let backend: FrameworkBackend

    /// Reads through an opened framework backend.
    public init(_ backend: FrameworkBackend) { self.backend = backend }

    public var endpointDescription: String { backend.endpointDescription }

    public func scan(pattern: String?, batchSize: Int, serialized: Bool, keysOnly: Bool,
                     _ body: (MigrationBatch) throws -> Void) throws {
        let prefix = backend.entryPrefix
        try backend.scanKeys(match: RedisGlob.escape(prefix) + (pattern ?? "*"), type: "string") { storeKeys in
            let keys = storeKeys.map { String($0.dropFirst(prefix.count)) }.filter { !backend.layout.isIndexKey($0) }
            for chunk in keys.chunks(of: max(1, batchSize)) {
                var batch = MigrationBatch()
                if keysOnly {
                    batch.records = chunk.map { MigrationRecord(key: $0, value: nil, expiry: .never, tags: nil) }
                } else {
                    for (key, entry) in zip(chunk, try backend.entries(Array(chunk))) {
                        guard let entry else { batch.expired.append(key); continue }
                        // The value travels decoded (a framework target re-encodes it) and, for a
                        // target that stores bytes, as text or compact JSON.
                        let decoded = entry.decoded ?? .opaque("value that cannot be decoded (\(entry.decodingFailure ?? "unknown format"))")
                        var record = MigrationRecord(key: key, value: try? ValueCodec.bytes.encode(decoded), expiry: entry.expiry,
                                                     tags: entry.tags.flatMap { $0.isEmpty ? nil : $0 })
                        if record.value == nil {
                            record.value = entry.value
                        }
                        record.decoded = decoded
                        batch.records.append(record)
                    }
                }
                try body(batch)
            }
        }
    }
}
