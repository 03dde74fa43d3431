import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// A connected byte stream to one server: plain TCP, a unix socket, or TLS over TCP.
///
/// Every read and write has its own deadline (the connection's timeout), and every failure is
/// a `CacheError` naming the server, so the protocol above never sees an errno or a C pointer.
protocol Transport: AnyObject {
    /// Sends every byte, or throws.
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Reads what is available (at least one byte) into `buffer`; 0 means the server closed the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Opens transports: the one place that decides between a socket and TLS over a socket.
enum Transports {
    /// Connects to `host:port` (TCP) or a unix socket, and runs the TLS handshake when `tls` is given.
    ///
    /// `peer` names the server in messages, e.g. `Redis at 127.0.0.1:6379`.
    static func open(_ endpoint: SocketEndpoint, timeout: Double, tls: (TLSContext, host: String)?, peer: String) throws -> any Transport {
        let socket = try Socket.connect(endpoint, timeout: timeout, peer: peer)
        guard let (context, host) = tls else { return socket }
        return try TLSStream(socket: socket, context: context, host: host)
    }

    /// Opens the transport for a Redis address.
    static func open(_ address: RedisAddress, timeout: Double, tls options: TLSOptions) throws -> any Transport {
        let peer = "Redis at \(address)"
        switch address {
        case .tcp(let host, let port):
            return try open(.tcp(host: host, port: port), timeout: timeout, tls: nil, peer: peer)
        case .unix(let path):
            return try open(.unix(path: path), timeout: timeout, tls: nil, peer: peer)
        case .tls(let host, let port):
            // The context (trust store, client certificate) is built only here: a plain run never
            // initialises OpenSSL.
            let context = try TLSContext(options)
            return try open(.tcp(host: host, port: port), timeout: timeout, tls: (context, host), peer: peer)
        }
    }
}

/// Where a socket connects.
enum SocketEndpoint {
    case tcp(host: String, port: Int)
    case unix(path: String)
}

/// A monotonic deadline, `seconds` from now.
struct Deadline {
    private let end: timespec

    init(seconds: Double) {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let whole = Int(seconds.rounded(.down))
        var nanoseconds = now.tv_nsec + Int((seconds - Double(whole)) * 1_000_000_000)
        var secondsPart = now.tv_sec + whole
        if nanoseconds >= 1_000_000_000 {
            nanoseconds -= 1_000_000_000
            secondsPart += 1
        }
        end = timespec(tv_sec: secondsPart, tv_nsec: nanoseconds)
    }

    /// Milliseconds left for poll(), at least 0.
    var remainingMilliseconds: Int32 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let milliseconds = (end.tv_sec - now.tv_sec) * 1000 + (end.tv_nsec - now.tv_nsec) / 1_000_000
        return Int32(clamping: max(0, milliseconds))
    }
}
