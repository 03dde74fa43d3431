@testable import CacheClient
import Testing

/// The key list a Redis → Redis copy keeps from its one walk of the source: every key back, in
/// order, in pages of the size asked, whatever the keys' bytes and lengths.
@Suite struct KeySpoolTests {
    @Test(arguments: [1, 7, 1000]) func keysComeBackInOrderInPages(size: Int) throws {
        let spool = try KeySpool()
        var keys: [String] = []
        for index in 0..<30_000 { keys.append(index % 1000 == 0 ? "ключ:\(index):🙂" : "article:\(index)") }
        keys.append("")  // an empty key is a key
        keys.append(String(repeating: "x", count: 3 << 20))  // longer than the read buffer
        keys.append("last")
        for start in stride(from: 0, to: keys.count, by: 997) { try spool.append(Array(keys[start..<min(start + 997, keys.count)])) }
        #expect(spool.count == keys.count)
        var back: [String] = []
        var sizes: [Int] = []
        try spool.forEachPage(size: size) { page in
            back += page
            sizes.append(page.count)
        }
        #expect(back == keys)
        #expect(sizes.dropLast().allSatisfy { $0 == size } && (sizes.last ?? 0) <= size)
    }

    @Test func anEmptySpoolHasNoPage() throws {
        var pages = 0
        try KeySpool().forEachPage(size: 10) { _ in pages += 1 }
        #expect(pages == 0)
    }
}
