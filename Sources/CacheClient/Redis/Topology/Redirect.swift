/// What a cluster node's error reply asks of the client, parsed from the reply's text.
public enum ClusterRedirect: Sendable, Equatable {
    /// `MOVED slot host:port`: the slot lives elsewhere for good; refresh the slot map and retry there.
    case moved(slot: HashSlot, address: RedisAddress)
    /// `ASK slot host:port`: this one command goes to that node, preceded by ASKING (a slot in migration).
    case ask(slot: HashSlot, address: RedisAddress)
    /// `TRYAGAIN`: a multi-key command met a slot in migration; retry after a moment.
    case tryAgain
    /// `CLUSTERDOWN`: the cluster cannot serve now (a failover under way); retry after a moment.
    case clusterDown

    /// The redirect an error reply asks for, or nil for any other error.
    ///
    /// An empty host (`MOVED 3999 :6380`, a node that does not know its own address) means the
    /// host of the node that answered, given as `replyingHost`.
    public init?(error message: String, replyingHost: String = "127.0.0.1") {
        if message.hasPrefix("TRYAGAIN") { self = .tryAgain; return }
        if message.hasPrefix("CLUSTERDOWN") { self = .clusterDown; return }
        let parts = message.split(separator: " ")
        guard parts.count >= 3, parts[0] == "MOVED" || parts[0] == "ASK",
              let number = Int(parts[1]), let slot = HashSlot(number),
              let colon = parts[2].lastIndex(of: ":"), let port = Int(parts[2][parts[2].index(after: colon)...]),
              (1...65535).contains(port) else { return nil }
        var host = String(parts[2][..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = replyingHost }
        let address = RedisAddress.tcp(host: host, port: port)
        self = parts[0] == "MOVED" ? .moved(slot: slot, address: address) : .ask(slot: slot, address: address)
    }
}
