// An application's reads through CacheClient, for `make demo` (Scripts/demo.sh) and as an example:
// article pages read the way a site reads them, popular ones far more often, each through
// `Cache.string(for:ttl:tags:compute:)`, which counts a hit or a miss in the app counters and
// renders and stores the page on a miss. `cachectl stats` then shows the hit rate these reads made.
//
//   cachectl-read-through [--reads N] [--articles N] [--url URL]
//
// Without --url the cache is resolved as cachectl resolves it (CACHECTL_URL, REDIS_URL, …,
// ./.cachectl/cache.snapshot). The sequence of keys is fixed (seeded), so every run reads the same.
import CacheClient
#if canImport(Glibc)
import Glibc
#endif

var reads = 500
var articles = 3000
var url: String?
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--reads": reads = arguments.popFirst().flatMap { Int($0) } ?? -1
    case "--articles": articles = arguments.popFirst().flatMap { Int($0) } ?? -1
    case "--url": url = arguments.popFirst()
    default: reads = -1
    }
    guard reads > 0, reads <= 10_000_000, articles > 0, articles <= 10_000_000 else {
        complain("usage: cachectl-read-through [--reads 1...10000000] [--articles 1...10000000] [--url URL]")
        exit(64)
    }
}

/// A line on standard error.
func complain(_ message: String) {
    var line = message + "\n"
    line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

/// The page an application would render on a miss.
func renderArticle(_ id: Int) -> String {
    #"{"id":\#(id),"title":"Article \#(id)","body":"rendered on a cache miss"}"#
}

do {
    let cache = try Cache(url: url)
    // A fixed linear congruential sequence; squaring a uniform draw favours low ids, as popular
    // articles are read far more often than the long tail.
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    var computed = 0
    for _ in 0..<reads {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let uniform = Double(state >> 11) / Double(1 << 53)
        let id = 1 + Int(uniform * uniform * Double(articles))
        _ = try cache.string(for: "article:\(id)", ttl: .minutes(10), tags: ["articles"]) {
            computed += 1
            return renderArticle(id)
        }
    }
    print("read-through: \(reads) reads through CacheClient's Cache, \(reads - computed) hits, \(computed) misses (rendered and stored)")
} catch {
    complain("cachectl-read-through: \(error)")
    exit(1)
}
