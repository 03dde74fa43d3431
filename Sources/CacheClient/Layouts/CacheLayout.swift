import FoundationEssentials

/// How an application framework lays its cache out in Redis: how entry keys are named, how
/// values are encoded, where tags live and how a tag is invalidated.
///
/// Commands never branch on the framework: they ask the layout for a store key, a codec and a
/// tag index, which the backends apply at their boundary.
public struct CacheLayout: Sendable, Equatable {
    /// The layouts cachectl knows.
    public enum Name: String, Sendable, CaseIterable {
        /// The seed applications' layout (entries as given, `cache:tag:` sets, app counters).
        case `default`
        /// Django's `RedisCache` (`KEY_PREFIX:VERSION:key`, pickles).
        case django
        /// Symfony 6.3+ `RedisTagAwareAdapter` (tag sets `NS:\x01tags\x01<tag>`).
        case symfony
        /// Symfony 5.4 to 6.2 `RedisTagAwareAdapter` (tag sets `NS:\0tags\0<tag>`).
        case symfony54 = "symfony-5.4"
        /// Laravel 11+ `RedisStore` (prefix without `:`, tags as sorted sets).
        case laravel
        /// Laravel 10 `RedisStore` (prefix + `:`, tags as sorted sets).
        case laravel10 = "laravel-10"
        /// Laravel 9 and earlier (prefix + `:`, tag ids rotated, reference sets).
        case laravel8 = "laravel-8"
    }

    /// Where a framework keeps its tags.
    public enum TagIndex: Sendable, Equatable {
        /// The framework has no tags (Django): a tagged write is a usage error.
        case none
        /// One set per tag whose members are full store keys: the seeds' `cache:tag:<tag>`
        /// (kept alive as long as its longest-living member) or Symfony's tag sets (never expire).
        case memberSets(prefix: String, expires: Bool)
        /// Laravel 10+: a sorted set `<prefix>tag:<name>:entries` per tag; members are entry keys
        /// without the connection prefix, scored by expiry time (-1 = forever).
        case laravelSortedSets(prefix: String)
        /// Laravel 9 and earlier: the tag's current id in `<prefix>tag:<name>:key`, and per id the
        /// reference sets `<prefix><id>:standard_ref` and `:forever_ref`.
        case laravelReferenceSets(prefix: String)
    }

    /// Which layout this is.
    public var name: Name
    /// Prepended to every entry key (after the connection's `--key-prefix`).
    public var entryPrefix: String
    /// The value encoding.
    public var codec: ValueCodec
    /// Where tags live.
    public var tagIndex: TagIndex
    /// The lifetime the framework gives an entry written without one (Symfony's tag-aware
    /// adapter gives 100 days so tag sets outlive entries), nil to keep "no expiry".
    public var foreverLifetime: Int?

    /// The layout the seeds use, with the given tag prefix.
    public static func `default`(tagPrefix: String = "cache:tag:") -> CacheLayout {
        CacheLayout(name: .default, entryPrefix: "", codec: .bytes, tagIndex: .memberSets(prefix: tagPrefix, expires: true), foreverLifetime: nil)
    }

    /// Whether the app counters hash belongs to this layout (only the seeds' layout has one).
    public var keepsAppCounters: Bool { name == .default }

    /// Builds a layout from its name, the framework's namespace setting (Django `KEY_PREFIX`,
    /// Symfony pool namespace, Laravel cache `prefix`) and, for Django, the cache `VERSION`.
    ///
    /// Throws `.usage` for an unknown name, a version outside 0…2^31 or options the layout has no use for.
    public static func named(_ text: String, namespace: String? = nil, cacheVersion: Int? = nil,
                             tagPrefix: String = "cache:tag:") throws -> CacheLayout {
        guard let name = Name(rawValue: text) else {
            throw CacheError(.usage, "Unknown layout \"\(text)\"",
                             hint: "one of " + Name.allCases.map(\.rawValue).joined(separator: ", "))
        }
        if cacheVersion != nil, name != .django {
            throw CacheError(.usage, "--cache-version applies to the django layout only")
        }
        let namespace = namespace ?? ""
        switch name {
        case .default:
            guard namespace.isEmpty else {
                throw CacheError(.usage, "--namespace applies to framework layouts", hint: "use --key-prefix in the default layout")
            }
            return .default(tagPrefix: tagPrefix)
        case .django:
            let version = cacheVersion ?? 1
            guard (0...Int(Int32.max)).contains(version) else {
                throw CacheError(.usage, "--cache-version must be between 0 and \(Int32.max), not \(version)")
            }
            // django.core.cache.backends.base.default_key_func: "%s:%s:%s" % (key_prefix, version, key)
            return CacheLayout(name: name, entryPrefix: "\(namespace):\(version):", codec: .django, tagIndex: .none, foreverLifetime: nil)
        case .symfony, .symfony54:
            // AbstractTagAwareAdapter: namespace + ':' (none when empty); TAGS_PREFIX "\1tags\1" since 6.3, "\0tags\0" before.
            let prefix = namespace.isEmpty ? "" : namespace + ":"
            let marker = name == .symfony ? "\u{1}tags\u{1}" : "\0tags\0"
            return CacheLayout(name: name, entryPrefix: prefix, codec: .symfony,
                               tagIndex: .memberSets(prefix: prefix + marker, expires: false), foreverLifetime: 8_640_000)
        case .laravel, .laravel10, .laravel8:
            // RedisStore::setPrefix: 10 and earlier append ':' to a non-empty prefix; 11 does not.
            let prefix = name == .laravel || namespace.isEmpty ? namespace : namespace + ":"
            let tags: TagIndex = name == .laravel8 ? .laravelReferenceSets(prefix: prefix) : .laravelSortedSets(prefix: prefix)
            return CacheLayout(name: name, entryPrefix: prefix, codec: .laravel, tagIndex: tags, foreverLifetime: nil)
        }
    }

    /// Laravel's key of a tagged entry: `sha1(tag ids joined by "|") + ":" + key`, relative to
    /// the store prefix (`TaggedCache::taggedItemKey`).
    public static func laravelTaggedKey(_ key: String, tagIDs: [String]) -> String {
        SHA1.hexDigest(Array(tagIDs.joined(separator: "|").utf8)) + ":" + key
    }
}

/// SHA-1, for Laravel's tagged key names (not for security).
enum SHA1 {
    static func hexDigest(_ message: [UInt8]) -> String {
        var h0: UInt32 = 0x67452301, h1: UInt32 = 0xEFCDAB89, h2: UInt32 = 0x98BADCFE, h3: UInt32 = 0x10325476, h4: UInt32 = 0xC3D2E1F0
        var data = message
        let bitLength = UInt64(message.count) * 8
        data.append(0x80)
        while data.count % 64 != 56 { data.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { data.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        var w = [UInt32](repeating: 0, count: 80)
        for chunk in stride(from: 0, to: data.count, by: 64) {
            for i in 0..<16 {
                w[i] = UInt32(data[chunk + 4 * i]) << 24 | UInt32(data[chunk + 4 * i + 1]) << 16 | UInt32(data[chunk + 4 * i + 2]) << 8 | UInt32(data[chunk + 4 * i + 3])
            }
            for i in 16..<80 {
                let x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]
                w[i] = x << 1 | x >> 31
            }
            var a = h0, b = h1, c = h2, d = h3, e = h4
            for i in 0..<80 {
                let (f, k): (UInt32, UInt32) = switch i {
                case 0..<20: ((b & c) | (~b & d), 0x5A827999)
                case 20..<40: (b ^ c ^ d, 0x6ED9EBA1)
                case 40..<60: ((b & c) | (b & d) | (c & d), 0x8F1BBCDC)
                default: (b ^ c ^ d, 0xCA62C1D6)
                }
                let temp = (a << 5 | a >> 27) &+ f &+ e &+ k &+ w[i]
                e = d
                d = c
                c = b << 30 | b >> 2
                b = a
                a = temp
            }
            h0 = h0 &+ a; h1 = h1 &+ b; h2 = h2 &+ c; h3 = h3 &+ d; h4 = h4 &+ e
        }
        return [h0, h1, h2, h3, h4].map { word in
            let hex = String(word, radix: 16)
            return String(repeating: "0", count: 8 - hex.count) + hex
        }.joined()
    }
}

extension CacheLayout {
    /// Whether the framework keeps tags at all.
    public var hasTags: Bool { tagIndex != .none }

    /// Throws `.usage` when tags are given to a layout without tags (Django).
    public func validate(tags: [String]) throws {
        guard !tags.isEmpty, !hasTags else { return }
        throw CacheError(.usage, "The \(name.rawValue) layout keeps no tags: \(name.rawValue) has no tag index",
                         hint: "leave out --tag")
    }

    /// Whether a key below the entry prefix is one of the framework's own tag structures
    /// (a Symfony tag set, a Laravel tag sorted set, tag id or reference set), not an entry.
    public func isIndexKey(_ relative: some StringProtocol) -> Bool {
        switch tagIndex {
        case .none: return false
        case .memberSets(let prefix, _):
            let marker = prefix.dropFirst(entryPrefix.count)
            return !marker.isEmpty && relative.hasPrefix(marker)
        case .laravelSortedSets, .laravelReferenceSets:
            return relative.hasPrefix("tag:") || relative.hasSuffix(":standard_ref") || relative.hasSuffix(":forever_ref")
        }
    }
}
