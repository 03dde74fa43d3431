/// How a TLS connection proves the server's identity, and ours: named like redis-cli's options.
///
/// The default verifies the server against the system trust store and the host name (or IP
/// address) it was asked for, with TLS 1.2 at least.
public struct TLSOptions: Sendable, Equatable {
    /// A PEM file of CA certificates to trust instead of the system store (`--cacert`).
    public var caCertificateFile: String?
    /// A directory of hashed CA certificates to trust instead of the system store (`--cacertdir`).
    public var caCertificateDirectory: String?
    /// A PEM client certificate (chain) to present (`--cert`).
    public var certificateFile: String?
    /// The PEM private key of the client certificate (`--key`); the certificate file when nil.
    public var keyFile: String?
    /// The name sent in SNI and checked against the certificate instead of the URL's host (`--sni`).
    public var serverName: String?
    /// Whether the server's certificate is verified; false only with `--insecure`.
    public var verifiesPeer: Bool

    /// Creates options; the defaults verify against the system trust store.
    public init(caCertificateFile: String? = nil, caCertificateDirectory: String? = nil, certificateFile: String? = nil,
                keyFile: String? = nil, serverName: String? = nil, verifiesPeer: Bool = true) {
        self.caCertificateFile = caCertificateFile
        self.caCertificateDirectory = caCertificateDirectory
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.serverName = serverName
        self.verifiesPeer = verifiesPeer
    }
}
