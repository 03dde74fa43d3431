import Foundation
import Testing
@testable import CacheClient

/// The small stand-ins that keep corelibs Foundation out of the binary behave like the originals.
@Suite struct FoundationReplacementTests {
    static let samples = ["", "plain", "p%40ss", "%41%42c", "bad%zz", "bad%4", "%", "caf%C3%A9", "%FF", "a+b%20c",
                          " \t x y \u{00A0}", "\u{2003}\u{3000}tab\t", "  ", "\r\npw\r\n", "\rpw\r", "a\r\nb\nc\\d\"e"]

    @Test(arguments: samples)
    func percentDecodingMatchesFoundation(text: String) {
        #expect(text.percentDecoded == text.removingPercentEncoding)
    }

    @Test(arguments: samples)
    func whitespaceTrimmingMatchesFoundation(text: String) {
        #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespaces))
    }

    @Test(arguments: samples)
    func scalarReplacementMatchesFoundation(text: String) {
        #expect(text.replacingScalar("\n", with: "⏎") == text.replacingOccurrences(of: "\n", with: "⏎"))
        #expect(text.replacingScalar("\\", with: "\\\\") == text.replacingOccurrences(of: "\\", with: "\\\\"))
        #expect(text.replacingScalar("\"", with: "\\\"") == text.replacingOccurrences(of: "\"", with: "\\\""))
    }

    @Test(arguments: ["t:invalidating:x", "t:invalidating:invalidating:y", ":invalidating:", "none", "a:invalidating:b:invalidating:c"])
    func lastRangeMatchesFoundation(text: String) {
        let ours = text.lastRange(of: ":invalidating:").map { text.distance(from: text.startIndex, to: $0.lowerBound) }
        let theirs = text.range(of: ":invalidating:", options: .backwards).map { text.distance(from: text.startIndex, to: $0.lowerBound) }
        #expect(ours == theirs)
    }

    @Test func sleepWaitsAboutThatLong() {
        let start = ContinuousClock.now
        sleep(seconds: 0.05)
        #expect(ContinuousClock.now - start >= .milliseconds(49))
    }

    @Test func threadsRunAndConditionsWake() {
        let queue = BoundedQueue<Int>(capacity: 2)
        startThread {
            for i in 0..<100 { _ = queue.push(i) }
            queue.close()
        }
        var received: [Int] = []
        while let value = queue.pop() { received.append(value) }
        #expect(received == Array(0..<100))
    }
}
