import NIOCore
import NIOPosix

/// Finds site processes on the local network (Docs/discovery.md): sends a discovery query by
/// UDP to each destination — the broadcast address by default — and collects the answers of
/// sites that serve the instance and schema asked for.
///
/// UDP may drop a datagram, so the query is sent three times within the wait.
public struct SiteFinder: Sendable {
    /// `address:port` (or an address alone, on ``DiscoveryDatagram/defaultPort``) to send to:
    /// a broadcast address, a multicast-free subnet's broadcast, or single hosts.
    public var destinations: [String]
    /// How long answers are collected.
    public var wait: Duration

    /// The broadcast address of the local network on the default port.
    public static let localBroadcast = "255.255.255.255:\(DiscoveryDatagram.defaultPort)"

    public init(destinations: [String] = [SiteFinder.localBroadcast], wait: Duration = .milliseconds(500)) {
        self.destinations = destinations
        self.wait = wait
    }

    /// The site processes that answered, in the order they answered, each once; empty when none did.
    /// Fails only when a destination does not parse or no socket can be opened.
    public func find(instance: String, schema: String) async throws(DiscoveryError) -> [SiteAnnouncement] {
        let addresses = try destinations.map(Self.address)
        let query = try DiscoveryDatagram.query(instance: instance, schema: schema).encoded()
        var found: [SiteAnnouncement] = []
        do {
            let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.so_broadcast), value: 1)
                .bind(host: "0.0.0.0", port: 0) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: channel)
                    }
                }
            let wait = wait, socket = channel.channel
            try await channel.executeThenClose { inbound, outbound in
                // Asks three times within the wait, then closes the socket, which ends the loop below.
                let asker = Task {
                    for round in 0..<3 {
                        for address in addresses {
                            // A destination that cannot be reached now (no route) is no reason to stop asking the others.
                            try? await outbound.write(AddressedEnvelope(remoteAddress: address, data: ByteBuffer(bytes: query)))
                        }
                        try? await Task.sleep(for: round < 2 ? wait / 3 : wait - (wait / 3) * 2)
                    }
                    socket.close(promise: nil)
                }
                defer { asker.cancel() }
                for try await envelope in inbound {
                    guard case .announcement(let site) = DiscoveryDatagram.decode(envelope.data.readableBytesView),
                          site.instance == instance, site.schema == schema, !found.contains(site) else { continue }
                    found.append(site)
                }
            }
        } catch let error as DiscoveryError {
            throw error
        } catch {
            if found.isEmpty && !Task.isCancelled { throw DiscoveryError("discovery could not use a UDP socket: \(error)") }
        }
        return found
    }

    /// `address:port` or a bare address on the default port (IPv4: discovery broadcasts).
    public static func hostAndPort(_ text: String) throws(DiscoveryError) -> (host: String, port: Int) {
        var host = text, port = DiscoveryDatagram.defaultPort
        if let colon = text.firstIndex(of: ":") {
            host = String(text[..<colon])
            guard let number = Int(text[text.index(after: colon)...]) else { throw Self.badAddress(text) }
            port = number
        }
        guard (1...65_535).contains(port), host.split(separator: ".", omittingEmptySubsequences: false).count == 4,
              (try? SocketAddress(ipAddress: host, port: port)) != nil else { throw Self.badAddress(text) }
        return (host, port)
    }

    static func address(_ text: String) throws(DiscoveryError) -> SocketAddress {
        let (host, port) = try hostAndPort(text)
        guard let address = try? SocketAddress(ipAddress: host, port: port) else { throw Self.badAddress(text) }
        return address
    }

    private static func badAddress(_ text: String) -> DiscoveryError {
        DiscoveryError("discovery address '\(text)' is not an IPv4 address with an optional port (e.g. 255.255.255.255:\(DiscoveryDatagram.defaultPort) or 192.168.1.255)")
    }
}
