import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// A non-blocking TCP or unix-domain socket with a deadline on the connect and on every read and write.
///
/// Non-blocking plus poll() rather than SO_RCVTIMEO: the same deadline then bounds the connect,
/// the TLS handshake (which reads and writes in turns) and each command.
final class Socket: Transport {
    /// The file descriptor, for the TLS layer's polls.
    let descriptor: Int32
    /// Seconds a single read or write may wait.
    let timeout: Double
    /// The server, as messages name it (`Redis at 127.0.0.1:6379`).
    let peer: String
    /// Whether anything was ever read: a connection closed before the first byte hints at a protocol mismatch.
    private(set) var receivedAnything = false

    private init(descriptor: Int32, timeout: Double, peer: String) {
        self.descriptor = descriptor
        self.timeout = timeout
        self.peer = peer
    }

    deinit {
        close(descriptor)
    }

    /// Connects within `timeout` seconds; throws `.unreachable` naming the server and the reason.
    static func connect(_ endpoint: SocketEndpoint, timeout: Double, peer: String) throws -> Socket {
        let deadline = Deadline(seconds: timeout)
        func failure(_ reason: String) -> CacheError {
            CacheError(.unreachable, "Cannot connect to \(peer): \(reason)",
                       hint: "check that the server is running and the URL is right, or raise --timeout")
        }
        switch endpoint {
        case .unix(let path):
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let capacity = MemoryLayout.size(ofValue: address.sun_path)
            guard path.utf8.count < capacity else { throw failure("the socket path is longer than \(capacity - 1) bytes") }
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                raw.copyBytes(from: path.utf8)
                raw[path.utf8.count] = 0
            }
            let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard fd >= 0 else { throw failure(errnoText(errno)) }
            let socket = Socket(descriptor: fd, timeout: timeout, peer: peer)
            let status = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            if status != 0 {
                if let reason = socket.finishConnect(status: errno, deadline: deadline) { throw failure(reason) }
            }
            return socket
        case .tcp(let host, let port):
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host, String(port), &hints, &list)
            guard status == 0, let first = list else {
                throw failure("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
            }
            defer { freeaddrinfo(list) }
            var reason = "no address"
            var candidate: UnsafeMutablePointer<addrinfo>? = first
            while let info = candidate {
                candidate = info.pointee.ai_next
                let fd = Glibc.socket(info.pointee.ai_family,
                                      info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue),
                                      info.pointee.ai_protocol)
                if fd < 0 {
                    reason = errnoText(errno)
                    continue
                }
                let socket = Socket(descriptor: fd, timeout: timeout, peer: peer)
                var one: Int32 = 1
                // Commands are small and answered at once: Nagle's delay would cost a round trip each.
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return socket }
                guard let failed = socket.finishConnect(status: errno, deadline: deadline) else { return socket }
                reason = failed
            }
            throw failure(reason)
        }
    }

    /// Waits for a connect in progress; nil when connected, else the reason.
    private func finishConnect(status: Int32, deadline: Deadline) -> String? {
        guard status == EINPROGRESS || status == EAGAIN || status == EINTR else { return errnoText(status) }
        while true {
            var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&entry, 1, deadline.remainingMilliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                return errnoText(errno)
            }
            if ready == 0 { return "Connection timed out" }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length)
            return error == 0 ? nil : errnoText(error)
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            // MSG_NOSIGNAL: a server that closed the connection is an error to report, not SIGPIPE.
            let count = send(descriptor, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if count >= 0 {
                offset += count
                continue
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: try wait(for: POLLOUT, deadline: Deadline(seconds: timeout))
            default: throw lost(errnoText(errno))
            }
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try read(into: buffer, within: timeout)
    }

    /// Reads what is available, waiting at most `seconds`.
    func read(into buffer: UnsafeMutableRawBufferPointer, within seconds: Double) throws -> Int {
        while true {
            let count = recv(descriptor, buffer.baseAddress!, buffer.count, 0)
            if count > 0 {
                receivedAnything = true
                return count
            }
            if count == 0 { return 0 }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: try wait(for: POLLIN, deadline: Deadline(seconds: seconds))
            default: throw lost(errnoText(errno))
            }
        }
    }

    /// Waits until the socket can be read (`POLLIN`) or written (`POLLOUT`), or throws when the deadline passes.
    func wait(for events: Int32, deadline: Deadline) throws {
        while true {
            var entry = pollfd(fd: descriptor, events: Int16(events), revents: 0)
            let ready = poll(&entry, 1, deadline.remainingMilliseconds)
            if ready > 0 { return }
            if ready == 0 { throw timedOut() }
            if errno != EINTR { throw lost(errnoText(errno)) }
        }
    }

    /// The error for a read or write that did not complete within the timeout.
    func timedOut() -> CacheError {
        CacheError(.unreachable, "\(peer) did not answer in time: nothing within \(timeout == timeout.rounded() ? String(Int(timeout)) : String(timeout)) s",
                   hint: "raise --timeout if the server is busy")
    }

    /// The error for a connection that broke.
    func lost(_ reason: String) -> CacheError {
        CacheError(.unreachable, "Lost the connection to \(peer): \(reason)", hint: "raise --timeout if the server is busy")
    }
}
