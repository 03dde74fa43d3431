import Testing
@testable import CacheClient

@Suite struct HTTPFetcherTests {
    @Test func keysArePercentEncoded() {
        #expect(HTTPFetcher.url(template: "http://h/items/{key}", key: "a b/ü~x") == "http://h/items/a%20b%2F%C3%BC~x")
    }

    @Test(arguments: [
        ("http://127.0.0.1:8080/a/b?c=1", "127.0.0.1", UInt16(8080), "/a/b?c=1"),
        ("http://example/", "example", 80, "/"),
        ("http://[::1]:9000", "::1", 9000, "/"),
        ("https://api.internal/items/1", "api.internal", 443, "/items/1"),
        ("HTTPS://[::1]:8443/x", "::1", 8443, "/x"),
    ])
    func parsesTargets(url: String, host: String, port: UInt16, path: String) throws {
        let target = try #require(HTTPTarget(url: url))
        #expect(target.host == host)
        #expect(target.port == port)
        #expect(target.path == path)
    }

    @Test func refusesTemplatesItCannotFetch() {
        #expect(throws: CacheError.self) { try HTTPFetcher.validate(template: "http://h/items") }
        #expect(throws: Never.self) { try HTTPFetcher.validate(template: "https://h/{key}") }
        #expect(throws: CacheError.self) { try HTTPFetcher.validate(template: "https://h:0/{key}") }
        #expect(throws: CacheError.self) { try HTTPFetcher.validate(template: "https://user@h/{key}") }
        #expect(throws: CacheError.self) { try HTTPFetcher.validate(template: "ftp://h/{key}") }
    }

    @Test func readsContentLengthAndChunkedBodies() throws {
        let plain = Array("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".utf8)
        #expect(try HTTPTarget.parse(plain).body == Array("hello".utf8))
        let chunked = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2;x=y\r\nlo\r\n0\r\n\r\n".utf8)
        #expect(try HTTPTarget.parse(chunked).body == Array("hello".utf8))
        let missing = Array("HTTP/1.0 404 Not Found\r\n\r\nnope".utf8)
        #expect(try HTTPTarget.parse(missing).status == 404)
        #expect(throws: HTTPError.self) { try HTTPTarget.parse(Array("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort".utf8)) }
    }

    @Test func aContentLengthResponseIsCompleteWithoutWaitingForClose() {
        #expect(HTTPTarget.completeLength(Array("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhe".utf8)) == 43)
        #expect(HTTPTarget.completeLength(Array("HTTP/1.1 200 OK\r\nContent-Len".utf8)) == nil)
        #expect(HTTPTarget.completeLength(Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)) == nil)
    }
}
