import Dispatch
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Fetches values over HTTP or HTTPS for warmup: a GET per key, up to `concurrency` in flight.
///
/// A small HTTP/1.1 client over the project's transport (the one Redis uses, TLS included)
/// rather than URLSession: URLSession on Linux drags in libcurl (which a static build cannot
/// link without it) and costs every command start-up time; warmup needs only `GET` with a timeout.
final class HTTPFetcher: Sendable {
    /// What one GET gave: the body, or why it failed.
    enum Outcome: Sendable {
        case value([UInt8])
        case failure(String)
    }

    private let template: String
    private let concurrency: Int
    private let timeout: Double
    /// The trust settings of `https://` templates, loaded once for all requests.
    private let tls: TLSContext?

    /// A fetcher for `template`; an `https://` template loads `tls` (the system trust store by
    /// default) once, and throws `.io`/`.usage` for an unreadable or unusable CA file.
    init(template: String, concurrency: Int, timeout: Double, tls: TLSOptions = TLSOptions()) throws {
        self.template = template
        self.concurrency = max(1, concurrency)
        self.timeout = timeout
        self.tls = template.lowercased().hasPrefix("https://")
            ? try TLSContext(tls, caOption: "--source-cacert", plainScheme: "http://") : nil
    }

    /// Checks the template once, before any work: `http[s]://host[:port]/…{key}…`.
    static func validate(template: String) throws {
        guard template.contains("{key}") else {
            throw CacheError(.usage, "--url-template \"\(template)\" has no {key} placeholder", hint: "e.g. http://api/items/{key}")
        }
        guard HTTPTarget(url: template.replacing("{key}", with: "k")) != nil else {
            throw CacheError(.usage, "--url-template \"\(template)\" is not an http[s]://host[:port]/path URL")
        }
    }

    /// Connects once to the template's server and, for https, verifies its certificate: a
    /// server that cannot be trusted stops the run before anything is fetched or written.
    func checkServer() throws {
        guard let tls, let target = HTTPTarget(url: template.replacing("{key}", with: "k")) else { return }
        _ = try target.open(timeout: timeout, tls: tls)
    }

    /// The URL for a key: `{key}` replaced by the key, percent-encoded (only unreserved characters stay).
    static func url(template: String, key: String) -> String {
        var encoded = ""
        for byte in key.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                encoded += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]], as: UTF8.self)
            }
        }
        return template.replacing("{key}", with: encoded)
    }

    /// Fetches every key; the outcomes are in the keys' order.
    func fetch(_ keys: [String]) -> [Outcome] {
        let results = OutcomeSlots(count: keys.count)
        let next = WorkIndex()
        DispatchQueue.concurrentPerform(iterations: min(concurrency, max(keys.count, 1))) { _ in
            while let index = next.take(below: keys.count) {
                let url = Self.url(template: template, key: keys[index])
                results.set(index, Self.get(url, timeout: timeout, tls: tls))
            }
        }
        return results.values
    }

    /// One GET: 2xx gives the body; anything else a one-line reason naming the URL.
    static func get(_ url: String, timeout: Double, tls: TLSContext? = nil) -> Outcome {
        guard let target = HTTPTarget(url: url) else { return .failure("GET \(url): not an http:// or https:// URL") }
        if target.secure, tls == nil { return .failure("GET \(url): no TLS settings for https") }
        do {
            let response = try target.get(timeout: timeout, tls: tls)
            guard (200..<300).contains(response.status) else { return .failure("GET \(url): HTTP \(response.status)") }
            return .value(response.body)
        } catch let error as HTTPError {
            return .failure("GET \(url): \(error.reason)")
        } catch let error as CacheError {
            return .failure("GET \(url): \(error.message)")
        } catch {
            return .failure("GET \(url): \(error)")
        }
    }
}

/// Why a request failed, in a few words.
struct HTTPError: Error {
    let reason: String
}

/// Host, port and path of an `http://` or `https://` URL.
struct HTTPTarget {
    let host: String
    let port: UInt16
    let path: String
    let hostHeader: String
    /// Whether the URL is `https://`.
    let secure: Bool

    init?(url: String) {
        let lowered = url.lowercased()
        secure = lowered.hasPrefix("https://")
        guard secure || lowered.hasPrefix("http://") else { return nil }
        let rest = url.dropFirst(secure ? "https://".count : "http://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        path = slash == rest.endIndex ? "/" : String(rest[slash...])
        hostHeader = String(authority)
        var hostPart = Substring(authority)
        var portNumber: UInt16 = secure ? 443 : 80
        if hostPart.hasPrefix("["), let close = hostPart.firstIndex(of: "]") {
            let after = hostPart[hostPart.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = UInt16(after.dropFirst()), p > 0 else { return nil }
                portNumber = p
            }
            hostPart = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
        } else if let colon = hostPart.lastIndex(of: ":") {
            guard let p = UInt16(hostPart[hostPart.index(after: colon)...]), p > 0 else { return nil }
            portNumber = p
            hostPart = hostPart[..<colon]
        }
        guard !hostPart.isEmpty, !hostPart.contains("@") else { return nil }
        host = String(hostPart)
        port = portNumber
    }

    /// Connects (and for https runs the verified handshake) within `timeout`.
    func open(timeout: Double, tls: TLSContext?) throws -> any Transport {
        let peer = (secure ? "https://" : "http://") + hostHeader
        return try Transports.open(.tcp(host: host, port: Int(port)), timeout: timeout,
                                   tls: secure ? tls.map { ($0, host) } : nil, peer: peer)
    }

    /// Sends the request on a fresh connection and reads the whole response.
    func get(timeout: Double, tls: TLSContext? = nil) throws -> (status: Int, body: [UInt8]) {
        let transport = try open(timeout: timeout, tls: tls)
        let request = "GET \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\nUser-Agent: cachectl\r\nAccept: */*\r\nConnection: close\r\n\r\n"
        try Array(request.utf8).withUnsafeBytes { try transport.write($0) }
        return try Self.parse(try readAll(transport))
    }

    /// Reads until the server closes the connection, or until a response with a Content-Length
    /// is complete (a server that keeps the connection open despite `Connection: close` would
    /// otherwise hold us until the timeout).
    private func readAll(_ transport: any Transport) throws -> [UInt8] {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let expected = Self.completeLength(data), data.count >= expected { return data }
            let count = try chunk.withUnsafeMutableBytes { try transport.read(into: $0) }
            if count == 0 { return data }
            data.append(contentsOf: chunk[0..<count])
        }
    }

    /// The total length of a response whose headers are in and give a Content-Length; nil otherwise.
    static func completeLength(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4,
              let end = bytes.indices.dropLast(3).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10 }) else {
            return nil
        }
        for line in String(decoding: bytes[..<end], as: UTF8.self).split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == "content-length" else { continue }
            return Int(line[line.index(after: colon)...].trimmingPrefix(" ")).map { end + 4 + $0 }
        }
        return nil
    }

    /// Status and body of a complete HTTP/1.x response (Content-Length, chunked, or to the end).
    static func parse(_ bytes: [UInt8]) throws -> (status: Int, body: [UInt8]) {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = bytes.indices.dropLast(3).first(where: { bytes[$0..<$0 + 4].elementsEqual(separator) }) else {
            throw HTTPError(reason: "the response ended before its headers did")
        }
        let head = String(decoding: bytes[..<end], as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusParts = head.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/"), let status = Int(statusParts[1]) else {
            throw HTTPError(reason: "not an HTTP response")
        }
        var length: Int?
        var chunked = false
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingPrefix(" ")
            if name == "content-length" { length = Int(value) }
            if name == "transfer-encoding", value.lowercased().contains("chunked") { chunked = true }
        }
        var body = Array(bytes[(end + 4)...])
        if chunked {
            body = try dechunk(body)
        } else if let length {
            guard body.count >= length else { throw HTTPError(reason: "the body ended after \(body.count) of \(length) bytes") }
            body = Array(body.prefix(length))
        }
        return (status, body)
    }

    private static func dechunk(_ data: [UInt8]) throws -> [UInt8] {
        var body: [UInt8] = []
        var index = 0
        while true {
            guard let lineEnd = data[index...].indices.dropLast().first(where: { data[$0] == 13 && data[$0 + 1] == 10 }) else {
                throw HTTPError(reason: "a chunked body ended early")
            }
            let sizeText = String(decoding: data[index..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingPrefix(" "), radix: 16) else { throw HTTPError(reason: "a bad chunk size") }
            index = lineEnd + 2
            if size == 0 { return body }
            guard index + size <= data.count else { throw HTTPError(reason: "a chunked body ended early") }
            body.append(contentsOf: data[index..<index + size])
            index += size + 2
        }
    }
}

/// Hands out work indexes to threads, each once.
private final class WorkIndex: @unchecked Sendable {
    private var next = 0
    private var lock = pthread_mutex_t()

    init() { pthread_mutex_init(&lock, nil) }
    deinit { pthread_mutex_destroy(&lock) }

    func take(below limit: Int) -> Int? {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        guard next < limit else { return nil }
        next += 1
        return next - 1
    }
}

/// Results written by worker threads.
private final class OutcomeSlots: @unchecked Sendable {
    private var lock = pthread_mutex_t()
    private var slots: [HTTPFetcher.Outcome]

    init(count: Int) {
        slots = Array(repeating: .failure("not fetched"), count: count)
        pthread_mutex_init(&lock, nil)
    }

    deinit { pthread_mutex_destroy(&lock) }

    func set(_ index: Int, _ outcome: HTTPFetcher.Outcome) {
        pthread_mutex_lock(&lock)
        slots[index] = outcome
        pthread_mutex_unlock(&lock)
    }

    var values: [HTTPFetcher.Outcome] {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return slots
    }
}
