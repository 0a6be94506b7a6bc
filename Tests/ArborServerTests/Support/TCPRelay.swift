import NIOCore
import NIOPosix
import Synchronization

/// A TCP relay on a loopback port that forwards to a target port, and can cut every connection
/// and refuse new ones (a network partition between two sites) and heal again.
final class TCPRelay: Sendable {
    let port: Int
    private let targetPort: Int
    private let channel: any Channel
    private let state = Mutex<(open: Bool, connections: [any Channel])>((true, []))
    /// How many answers still to cut: their connection closes when the target starts replying.
    private let repliesToCut = Mutex(0)

    private init(port: Int, targetPort: Int, channel: any Channel) {
        self.port = port
        self.targetPort = targetPort
        self.channel = channel
    }

    /// Starts relaying 127.0.0.1:<new port> → 127.0.0.1:`targetPort`.
    static func start(to targetPort: Int) async throws -> TCPRelay {
        let box = Mutex<TCPRelay?>(nil)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { inbound in
                guard let relay = box.withLock({ $0 }), relay.admit(inbound) else {
                    return inbound.close()
                }
                return ClientBootstrap(group: inbound.eventLoop)
                    .connect(host: "127.0.0.1", port: relay.targetPort)
                    .flatMap { outbound in
                        relay.track(outbound)
                        let (toOutbound, toInbound) = GlueHandler.pair(cutsReply: { relay.takeReplyCut() })
                        return inbound.pipeline.addHandler(toOutbound).flatMap { outbound.pipeline.addHandler(toInbound) }
                    }
            }
            .childChannelOption(.autoRead, value: true)
            .bind(host: "127.0.0.1", port: 0).get()
        let relay = TCPRelay(port: channel.localAddress?.port ?? 0, targetPort: targetPort, channel: channel)
        box.withLock { $0 = relay }
        return relay
    }

    /// Closes every relayed connection and refuses new ones until `heal()`.
    func cut() {
        let connections = state.withLock { state -> [any Channel] in
            state.open = false
            defer { state.connections = [] }
            return state.connections
        }
        for connection in connections { connection.close(promise: nil) }
    }

    /// Closes the connection of each of the next `count` requests as soon as the target starts
    /// answering: the request was served (an append committed), its answer is lost.
    func cutNextReplies(_ count: Int = 1) {
        repliesToCut.withLock { $0 += count }
    }

    fileprivate func takeReplyCut() -> Bool {
        repliesToCut.withLock { pending in
            guard pending > 0 else { return false }
            pending -= 1
            return true
        }
    }

    /// Accepts connections again.
    func heal() {
        state.withLock { $0.open = true }
    }

    /// Stops the relay.
    func stop() async {
        cut()
        try? await channel.close()
    }

    private func admit(_ connection: any Channel) -> Bool {
        state.withLock { state in
            guard state.open else { return false }
            state.connections.append(connection)
            return true
        }
    }

    private func track(_ connection: any Channel) {
        let open = state.withLock { state -> Bool in
            if state.open { state.connections.append(connection) }
            return state.open
        }
        if !open { connection.close(promise: nil) }
    }
}

/// Forwards bytes read on one channel to its partner channel (NIO's classic glue pattern).
private final class GlueHandler: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private var partner: GlueHandler?
    private var context: ChannelHandlerContext?
    /// On the target's side: asked at the first bytes of each answer whether to cut it.
    private var cutsReply: (@Sendable () -> Bool)?
    private var replying = false

    /// The client-side and the target-side handler; `cutsReply` is asked on the target side.
    static func pair(cutsReply: (@Sendable () -> Bool)? = nil) -> (GlueHandler, GlueHandler) {
        let first = GlueHandler(), second = GlueHandler()
        second.cutsReply = cutsReply
        first.partner = second
        second.partner = first
        return (first, second)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // On the client side, bytes are a (new) request: its answer is asked about again.
        if cutsReply == nil { partner?.replying = false }
        if !replying, let cutsReply {
            replying = true
            if cutsReply() {
                partner?.close()
                context.close(promise: nil)
                return
            }
        }
        partner?.write(data)
    }


    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.close()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func write(_ data: NIOAny) { context?.write(data, promise: nil) }
    private func flush() { context?.flush() }
    private func close() { context?.close(promise: nil) }
}
