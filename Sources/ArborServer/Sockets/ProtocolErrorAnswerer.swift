import ArborCore
import Foundation
import NIOCore
import NIOHTTP1

/// Answers a request NIO's HTTP parser refuses with the protocol's JSON error and closes the
/// connection (issue 11 item 6): headers above ``SocketLimits/maximumHeaderBytes`` are
/// `TooLarge` (431), anything else that is not HTTP/1.1 is `BadRequest` (400). Without it
/// Hummingbird answers a bare 400 with an empty body.
///
/// It sits right after NIO's request decoder. It only answers when no request of the
/// connection is still being answered; otherwise the error goes on to Hummingbird, which ends
/// that connection, so an answer already being written is never corrupted.
final class ProtocolErrorAnswerer: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let siteName: String
    private let maximumHeaderBytes: Int
    private let connectedToCenter: @Sendable () -> Bool
    /// Request heads read whose answer has not ended yet.
    private var outstanding = 0
    private var answered = false

    init(siteName: String, maximumHeaderBytes: Int, connectedToCenter: @escaping @Sendable () -> Bool) {
        self.siteName = siteName
        self.maximumHeaderBytes = maximumHeaderBytes
        self.connectedToCenter = connectedToCenter
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { outstanding += 1 }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { outstanding = max(0, outstanding - 1) }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, outstanding == 0 else {
            context.fireErrorCaught(error)
            return
        }
        guard !answered else { return }
        answered = true
        let (status, refusal) = Self.refusal(for: parserError, siteName: siteName, maximumHeaderBytes: maximumHeaderBytes)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = (try? encoder.encode(refusal)) ?? Data()
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: ArborProtocol.jsonMediaType)
        headers.add(name: "Content-Length", value: String(body.count))
        headers.add(name: "Connection", value: "close")
        headers.add(name: ArborProtocol.Header.connectedToCenter, value: connectedToCenter() ? "true" : "false")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }

    /// The status and JSON error for a parser refusal.
    static func refusal(for error: HTTPParserError, siteName: String, maximumHeaderBytes: Int) -> (HTTPResponseStatus, ErrorResponse) {
        if error == .headerOverflow {
            return (
                .requestHeaderFieldsTooLarge,
                ErrorResponse(
                    error: ArborErrorCode.tooLarge.rawValue,
                    message: "the request headers are above site '\(siteName)''s limit of \(maximumHeaderBytes) bytes (setting maximumHeaderBytes): send shorter headers"
                )
            )
        }
        return (
            .badRequest,
            ErrorResponse(error: ArborErrorCode.badRequest.rawValue, message: "the request is not valid HTTP/1.1 (\(error)): the connection is closed")
        )
    }
}
