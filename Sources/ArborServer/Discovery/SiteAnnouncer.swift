import ArborEdge
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// Answers local-network discovery queries (Docs/discovery.md) for one site process: a query
/// for this instance and schema gets this process's URLs, sent back to the asker. Opt-in
/// (`announce` in `arbor serve`'s settings); nothing is answered before the process listens.
///
/// The socket shares its port (`SO_REUSEADDR`, `SO_REUSEPORT`) so several processes and sites
/// of one machine can all announce themselves.
public struct SiteAnnouncer: Service {
    public var host: String
    public var port: Int
    public var instance: String
    public var schema: String
    public var siteName: String
    /// This process's URLs now (empty until it listens: nothing is answered then).
    public var servers: @Sendable () -> [String]
    /// Whether the site is connected to the center now.
    public var connectedToCenter: @Sendable () -> Bool
    /// Called with the bound UDP port once the socket is open (tests bind port 0).
    public var onBound: @Sendable (Int) -> Void
    let logger: Logger

    public init(
        host: String = "0.0.0.0", port: Int = DiscoveryDatagram.defaultPort, instance: String, schema: String, siteName: String,
        servers: @escaping @Sendable () -> [String], connectedToCenter: @escaping @Sendable () -> Bool,
        onBound: @escaping @Sendable (Int) -> Void = { _ in }, logger: Logger
    ) {
        self.host = host
        self.port = port
        self.instance = instance
        self.schema = schema
        self.siteName = siteName
        self.servers = servers
        self.connectedToCenter = connectedToCenter
        self.onBound = onBound
        self.logger = logger
    }

    public func run() async throws {
        let channel: NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>
        do {
            channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelOption(ChannelOptions.Types.SocketOption(level: .socket, name: NIOBSDSocket.Option(rawValue: SO_REUSEPORT)), value: 1)
                .bind(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw DiscoveryError("cannot listen for discovery queries on UDP \(host):\(port): \(error); set announceAddress to a free address or turn announce off")
        }
        let bound = channel.channel.localAddress?.port ?? port
        onBound(bound)
        logger.notice("answering discovery queries on UDP \(host):\(bound) for instance '\(instance)', schema '\(schema)'")
        try await withGracefulShutdownHandler {
            try await channel.executeThenClose { inbound, outbound in
                for try await envelope in inbound {
                    guard let answer = answer(to: envelope.data.readableBytesView) else { continue }
                    // A sender that cannot be answered (gone, unreachable) must not stop the others' answers.
                    try? await outbound.write(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: ByteBuffer(bytes: answer)))
                }
            }
        } onGracefulShutdown: {
            channel.channel.close(promise: nil)
        }
    }

    /// The announcement answering `datagram`, nil when it is no query for this site or there
    /// is nothing to announce yet.
    func answer(to datagram: some Collection<UInt8>) -> [UInt8]? {
        guard case .query(let asked, let askedSchema) = DiscoveryDatagram.decode(datagram), asked == instance, askedSchema == schema else { return nil }
        let urls = servers()
        guard !urls.isEmpty else { return nil }
        let announcement = SiteAnnouncement(instance: instance, schema: schema, site: siteName, servers: urls, connectedToCenter: connectedToCenter())
        do {
            return try DiscoveryDatagram.announcement(announcement).encoded()
        } catch {
            logger.warning("cannot answer a discovery query: \(error)")
            return nil
        }
    }
}
