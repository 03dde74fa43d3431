import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Fetches values over HTTP for warmup: a GET per key, up to `concurrency` in flight.
final class HTTPFetcher: @unchecked Sendable {
    /// What one GET gave: the body, or why it failed.
    enum Outcome: Sendable {
        case value([UInt8])
        case failure(String)
    }

    private let template: String
    private let session: URLSession
    private let concurrency: Int

    init(template: String, concurrency: Int, timeout: Double) {
        self.template = template
        self.concurrency = max(1, concurrency)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.httpMaximumConnectionsPerHost = self.concurrency
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration)
    }

    deinit { session.finishTasksAndInvalidate() }

    /// The URL for a key: `{key}` replaced by the key, percent-encoded (only unreserved characters stay).
    static func url(template: String, key: String) -> URL? {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "-._~")
        guard let encoded = key.addingPercentEncoding(withAllowedCharacters: allowed) else { return nil }
        return URL(string: template.replacingOccurrences(of: "{key}", with: encoded))
    }

    /// Fetches every key; the outcomes are in the keys' order.
    func fetch(_ keys: [String]) -> [Outcome] {
        let results = OutcomeSlots(count: keys.count)
        let slots = DispatchSemaphore(value: concurrency)
        let group = DispatchGroup()
        for (index, key) in keys.enumerated() {
            guard let url = Self.url(template: template, key: key) else {
                results.set(index, .failure("cannot build a URL from the template for this key"))
                continue
            }
            slots.wait()
            group.enter()
            let task = session.dataTask(with: url) { data, response, error in
                let outcome: Outcome
                if let error {
                    outcome = .failure("GET \(url.absoluteString): \(error.localizedDescription)")
                } else if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
                    outcome = .failure("GET \(url.absoluteString): HTTP \(http.statusCode)")
                } else {
                    outcome = .value(data.map { Array($0) } ?? [])
                }
                results.set(index, outcome)
                slots.signal()
                group.leave()
            }
            task.resume()
        }
        group.wait()
        return results.values
    }
}

/// Results written by completion handlers on other threads.
private final class OutcomeSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [HTTPFetcher.Outcome]

    init(count: Int) { slots = Array(repeating: .failure("not fetched"), count: count) }

    func set(_ index: Int, _ outcome: HTTPFetcher.Outcome) {
        lock.lock()
        slots[index] = outcome
        lock.unlock()
    }

    var values: [HTTPFetcher.Outcome] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }
}
