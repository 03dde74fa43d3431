import COpenSSL
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The trust and identity settings of TLS connections, loaded once: an OpenSSL `SSL_CTX`.
///
/// The only code besides `TLSStream` that touches OpenSSL; both live in this file, the only
/// one that imports COpenSSL. Building one is what loads OpenSSL (dlopen, see the shim), so a
/// run that never opens a TLS connection never pays for it, not even at start-up.
final class TLSContext: @unchecked Sendable {
    // SSL_CTX is safe to share between threads once configured (HTTPS warmup fetches in parallel).
    fileprivate let context: OpaquePointer
    let options: TLSOptions
    /// How messages name the CA option and the plain scheme: `--cacert` and `redis://` for Redis,
    /// `--source-cacert` and `http://` for warmup sources.
    let caOption: String, plainScheme: String

    /// Loads the trust store (system, `--cacert` or `--cacertdir`) and the client certificate.
    ///
    /// A missing or unreadable file throws `.io` naming it; a file that holds no usable
    /// certificate or key throws `.usage` naming it.
    init(_ options: TLSOptions, caOption: String = "--cacert", plainScheme: String = "redis://") throws {
        self.options = options
        self.caOption = caOption
        self.plainScheme = plainScheme
        if let file = options.caCertificateFile { try Self.checkReadable(file, what: "CA certificate file (\(caOption))") }
        if let directory = options.caCertificateDirectory {
            try Self.checkReadable(directory, what: "CA certificate directory (--cacertdir)", directory: true)
        }
        if let file = options.certificateFile { try Self.checkReadable(file, what: "client certificate file (--cert)") }
        if let file = options.keyFile { try Self.checkReadable(file, what: "client key file (--key)") }
        if options.keyFile != nil, options.certificateFile == nil {
            throw CacheError(.usage, "--key needs --cert: the key belongs to a client certificate")
        }
        if let reason = cachectl_openssl_load() {
            throw CacheError(.unreachable, "Cannot load OpenSSL 3 for TLS: \(String(cString: reason))",
                             hint: "install libssl3 (Debian, Ubuntu) or the OpenSSL 3 package of your system")
        }
        cachectl_ERR_clear_error()
        guard let context = cachectl_SSL_CTX_new(cachectl_TLS_client_method()) else {
            throw CacheError(.unreachable, "Cannot set up TLS: \(Self.pendingError() ?? "OpenSSL failed")")
        }
        self.context = context
        _ = cachectl_ssl_ctx_require_tls12(context)
        if options.verifiesPeer {
            cachectl_SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
            if options.caCertificateFile != nil || options.caCertificateDirectory != nil {
                guard cachectl_SSL_CTX_load_verify_locations(context, options.caCertificateFile, options.caCertificateDirectory) == 1 else {
                    let which = options.caCertificateFile ?? options.caCertificateDirectory!
                    throw CacheError(.usage, "Cannot load the CA certificates in \(which): \(Self.pendingError() ?? "no certificate found")",
                                     hint: "\(caOption) takes a PEM file of CA certificates")
                }
            } else if cachectl_SSL_CTX_set_default_verify_paths(context) != 1 {
                throw CacheError(.io, "Cannot load the system trust store: \(Self.pendingError() ?? "unknown error")",
                                 hint: "pass the CA with \(caOption) FILE")
            }
        } else {
            cachectl_SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        }
        if let certificate = options.certificateFile {
            let key = options.keyFile ?? certificate
            guard cachectl_SSL_CTX_use_certificate_chain_file(context, certificate) == 1 else {
                throw CacheError(.usage, "Cannot use the client certificate \(certificate): \(Self.pendingError() ?? "not a PEM certificate")")
            }
            guard cachectl_SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) == 1 else {
                let reason = Self.pendingError() ?? "not a PEM private key"
                if reason.contains("key values mismatch") {
                    throw CacheError(.usage, "The client key \(key) does not belong to the certificate \(certificate)")
                }
                throw CacheError(.usage, "Cannot use the client key \(key): \(reason)",
                                 hint: options.keyFile == nil ? "pass the key with --key FILE" : nil)
            }
            guard cachectl_SSL_CTX_check_private_key(context) == 1 else {
                throw CacheError(.usage, "The client key \(key) does not belong to the certificate \(certificate)")
            }
        }
    }

    deinit {
        cachectl_SSL_CTX_free(context)
    }

    private static func checkReadable(_ path: String, what: String, directory: Bool = false) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0))
        guard fd >= 0 else {
            let code = errno
            throw CacheError(code == ENOTDIR ? .usage : .io, "Cannot read the \(what) \(path): \(errnoText(code))")
        }
        var status = stat()
        defer { close(fd) }
        if !directory, fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR {
            throw CacheError(.usage, "Cannot read the \(what) \(path): it is a directory")
        }
    }

    /// The reason of the oldest error OpenSSL queued on this thread, if any; clears the queue.
    fileprivate static func pendingError() -> String? {
        let code = cachectl_ERR_get_error()
        cachectl_ERR_clear_error()
        guard code != 0 else { return nil }
        if let reason = cachectl_ERR_reason_error_string(code) { return String(cString: reason) }
        var text = [CChar](repeating: 0, count: 256)
        cachectl_ERR_error_string_n(code, &text, text.count)
        return Self.text(text)
    }

    /// A NUL-terminated C buffer as text.
    fileprivate static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// TLS over a `Socket`: OpenSSL encrypts into memory buffers and the socket moves the bytes,
/// so deadlines, EINTR and SIGPIPE are handled in one place for every transport.
final class TLSStream: Transport {
    private let socket: Socket
    private let context: TLSContext
    private let ssl: OpaquePointer
    private let incoming: OpaquePointer
    private let outgoing: OpaquePointer
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
    /// The name the certificate must carry: the SNI override, else the host asked for.
    private let expectedName: String
    /// Set by OpenSSL's message callback when the server asks for a client certificate.
    private let certificateRequested = UnsafeMutablePointer<Int32>.allocate(capacity: 1)

    /// Runs the handshake within the socket's timeout and verifies the server.
    init(socket: Socket, context: TLSContext, host: String) throws {
        self.socket = socket
        self.context = context
        expectedName = context.options.serverName ?? host
        guard let ssl = cachectl_SSL_new(context.context), let incoming = cachectl_BIO_new(cachectl_BIO_s_mem()), let outgoing = cachectl_BIO_new(cachectl_BIO_s_mem()) else {
            scratch.deallocate()
            certificateRequested.deallocate()
            throw CacheError(.unreachable, "Cannot set up TLS for \(socket.peer): out of memory")
        }
        self.ssl = ssl
        self.incoming = incoming
        self.outgoing = outgoing
        cachectl_SSL_set_bio(ssl, incoming, outgoing)
        cachectl_SSL_set_connect_state(ssl)
        certificateRequested.pointee = 0
        cachectl_watch_certificate_request(ssl, certificateRequested)
        let nameIsAddress = Self.isAddress(expectedName)
        // SNI carries names only (RFC 6066); an explicit --sni is sent as given.
        if context.options.serverName != nil || !nameIsAddress { _ = cachectl_ssl_set_server_name(ssl, expectedName) }
        if context.options.verifiesPeer {
            // An empty name would clear the check instead of failing it: refuse rather than connect unverified.
            let parameters = cachectl_SSL_get0_param(ssl)
            let checked: Int32
            if nameIsAddress {
                checked = cachectl_X509_VERIFY_PARAM_set1_ip_asc(parameters, expectedName)
            } else {
                cachectl_X509_VERIFY_PARAM_set_hostflags(parameters, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
                checked = expectedName.isEmpty ? 0 : cachectl_X509_VERIFY_PARAM_set1_host(parameters, expectedName, 0)
            }
            guard checked == 1 else {
                // self is complete: deinit frees what was allocated.
                throw CacheError(.usage, "Cannot check a certificate against the name \"\(expectedName)\"",
                                 hint: "give a host name or IP address in the URL or --sni")
            }
        }
        try handshake()
    }

    deinit {
        // close_notify, best effort: the server is about to see the socket close anyway.
        if cachectl_SSL_is_init_finished(ssl) == 1 {
            cachectl_ERR_clear_error()
            cachectl_SSL_shutdown(ssl)
            try? flush()
        }
        cachectl_ERR_clear_error()
        cachectl_SSL_free(ssl)
        scratch.deallocate()
        certificateRequested.deallocate()
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            cachectl_ERR_clear_error()
            let count = cachectl_SSL_write(ssl, bytes.baseAddress! + offset, Int32(min(bytes.count - offset, 1 << 20)))
            guard count > 0 else { throw failure(cachectl_SSL_get_error(ssl, count), during: "sending") }
            offset += Int(count)
            try flush()
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            cachectl_ERR_clear_error()
            let count = cachectl_SSL_read(ssl, buffer.baseAddress!, Int32(min(buffer.count, Int(Int32.max))))
            if count > 0 { return Int(count) }
            let code = cachectl_SSL_get_error(ssl, count)
            // TLS 1.3 may answer post-handshake messages (key updates) while reading.
            try flush()
            switch code {
            case SSL_ERROR_WANT_READ:
                if try !fill() { return 0 }
            case SSL_ERROR_ZERO_RETURN:
                return 0
            default:
                throw failure(code, during: "reading")
            }
        }
    }

    // MARK: - Handshake

    private func handshake() throws {
        while true {
            cachectl_ERR_clear_error()
            let status = cachectl_SSL_do_handshake(ssl)
            let code = cachectl_SSL_get_error(ssl, status)
            if status != 1 && code != SSL_ERROR_WANT_READ {
                let error = failure(code, during: "handshake")
                try? flush()  // the alert telling the server why, if it still listens
                throw error
            }
            try withPlainPortHint { try flush() }
            if status == 1 { return try awaitCertificateVerdict() }
            guard try withPlainPortHint({ try fill() }) else {
                throw CacheError(.unreachable, "TLS handshake with \(socket.peer) failed: the server closed the connection",
                                 hint: plainPortHint)
            }
        }
    }

    /// In TLS 1.3 the client's handshake ends before the server has checked the client
    /// certificate; a refusal then arrives as an alert, often followed by a reset that would
    /// swallow it if a command were already on its way. So when the server asked for a
    /// certificate, its next flight (session tickets, or the alert) is read first. A server
    /// that sends no tickets costs at most a second here.
    private func awaitCertificateVerdict() throws {
        guard certificateRequested.pointee != 0, cachectl_SSL_version(ssl) == TLS1_3_VERSION else { return }
        let count: Int
        do {
            count = try socket.read(into: scratch, within: min(socket.timeout, 1))
        } catch let error as CacheError where error.message.contains("did not answer in time") {
            return
        } catch let error as CacheError {
            throw CacheError(.authentication, "\(socket.peer) closed the connection after the TLS handshake: \(error.message)",
                             hint: context.options.certificateFile == nil ? "it probably demands a client certificate: pass --cert FILE --key FILE"
                                                                          : "it probably refused the client certificate")
        }
        guard count > 0 else {
            throw CacheError(.authentication, "\(socket.peer) closed the connection after the TLS handshake",
                             hint: context.options.certificateFile == nil ? "it probably demands a client certificate: pass --cert FILE --key FILE"
                                                                          : "it probably refused the client certificate")
        }
        var offset = 0
        while offset < count {
            let written = cachectl_BIO_write(incoming, scratch.baseAddress! + offset, Int32(count - offset))
            guard written > 0 else { throw CacheError(.unreachable, "Cannot buffer TLS data from \(socket.peer): out of memory") }
            offset += Int(written)
        }
        var byte: UInt8 = 0
        cachectl_ERR_clear_error()
        let peeked = cachectl_SSL_peek(ssl, &byte, 1)
        if peeked <= 0 {
            let code = cachectl_SSL_get_error(ssl, peeked)
            if code != SSL_ERROR_WANT_READ { throw failure(code, during: "handshake") }
        }
    }

    /// Socket errors during the handshake get the hint for the usual cause: a plain-TCP server,
    /// which often waits for a line end that a ClientHello need not contain.
    private func withPlainPortHint<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as CacheError {
            throw CacheError(error.kind, "TLS handshake with \(socket.peer) failed: \(error.message)", hint: plainPortHint)
        }
    }

    private var plainPortHint: String { "if the port does not speak TLS, use \(context.plainScheme)" }

    // MARK: - Moving bytes

    /// Sends whatever OpenSSL wrote into the outgoing buffer.
    private func flush() throws {
        while cachectl_BIO_ctrl_pending(outgoing) > 0 {
            let count = cachectl_BIO_read(outgoing, scratch.baseAddress!, Int32(scratch.count))
            guard count > 0 else { return }
            try socket.write(UnsafeRawBufferPointer(rebasing: scratch[0..<Int(count)]))
        }
    }

    /// Reads from the socket into OpenSSL's incoming buffer; false when the server closed the connection.
    private func fill() throws -> Bool {
        let count = try socket.read(into: scratch)
        guard count > 0 else { return false }
        var offset = 0
        while offset < count {
            let written = cachectl_BIO_write(incoming, scratch.baseAddress! + offset, Int32(count - offset))
            guard written > 0 else { throw CacheError(.unreachable, "Cannot buffer TLS data from \(socket.peer): out of memory") }
            offset += Int(written)
        }
        return true
    }

    // MARK: - Errors

    /// One line for a failed TLS operation: refused trust or identity is `.authentication` (77),
    /// anything else `.unreachable` (69).
    private func failure(_ code: Int32, during phase: String) -> CacheError {
        let verification = cachectl_SSL_get_verify_result(ssl)
        let reason = TLSContext.pendingError()
        let peer = socket.peer
        if context.options.verifiesPeer, verification != X509_V_OK {
            if verification == X509_V_ERR_HOSTNAME_MISMATCH || verification == X509_V_ERR_IP_ADDRESS_MISMATCH {
                var names = [CChar](repeating: 0, count: 1024)
                cachectl_peer_names(ssl, &names, names.count)
                let listed = TLSContext.text(names)
                return CacheError(.authentication,
                                  "Cannot verify the TLS certificate of \(peer): it is for \(listed.isEmpty ? "no name" : listed), not for \(expectedName)",
                                  hint: "connect with a name the certificate carries, or name one with --sni NAME")
            }
            let text = String(cString: cachectl_X509_verify_cert_error_string(Int(verification)))
            let unknownIssuer = [X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
                                 X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,
                                 X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE].contains(Int32(verification))
            return CacheError(.authentication, "Cannot verify the TLS certificate of \(peer): \(text)",
                              hint: unknownIssuer ? "pass the CA that signed it with \(context.caOption) FILE" : nil)
        }
        if let reason {
            if reason.contains("certificate required") || (reason.contains("handshake failure") && context.options.certificateFile == nil) {
                return CacheError(.authentication, "\(peer) demands a client certificate: \(reason)",
                                  hint: "pass one with --cert FILE --key FILE")
            }
            if reason.contains("alert"), context.options.certificateFile != nil,
               ["unknown ca", "bad certificate", "certificate unknown", "certificate expired", "certificate revoked",
                "unsupported certificate", "access denied", "decrypt error", "handshake failure"].contains(where: reason.contains) {
                return CacheError(.authentication,
                                  "\(peer) refused the client certificate \(context.options.certificateFile!): \(reason)",
                                  hint: "the server must trust the CA that signed it")
            }
            if ["wrong version number", "packet length too long", "record layer failure", "unexpected eof", "http request"].contains(where: reason.contains) {
                return CacheError(.unreachable, "TLS \(phase) with \(peer) failed: \(reason)", hint: plainPortHint)
            }
            return CacheError(.unreachable, "TLS \(phase) with \(peer) failed: \(reason)")
        }
        if code == SSL_ERROR_SYSCALL || code == SSL_ERROR_ZERO_RETURN {
            return socket.lost("the server closed the connection")
        }
        return CacheError(.unreachable, "TLS \(phase) with \(peer) failed: OpenSSL error \(code)")
    }

    private static func isAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
