// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import NIOCore
import NIOHTTP1

/// The whole pipeline of a connection over ``ConnectionLimits/maxConnections``, in front of
/// everything else: once the client's request arrives (answering before it is read could
/// reset the connection and lose the answer) it writes a 503 problem with `Retry-After` and
/// closes; nothing it reads goes further. A client that sends nothing is closed after
/// `timeout`.
final class ConnectionRefusalHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let limit: Int
    private let timeout: TimeAmount
    private let serverName: String?
    private var answered = false
    private var timer: Scheduled<Void>?

    init(limit: Int, timeout: TimeAmount, serverName: String?) {
        self.limit = limit
        self.timeout = timeout
        self.serverName = serverName
    }

    func handlerAdded(context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: timeout) { context.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { timer?.cancel() }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        answered = true
        let problem = Problem(
            DomainError(
                .unavailable, operation: "connect", "the server has \(limit) connections open, its limit; retry shortly",
                reason: "too-many-connections", retryAfter: 1))
        let reply = problem.reply
        let head = reply.http1Head(serverName: serverName, close: true)
        var bytes = context.channel.allocator.buffer(capacity: 512 + reply.body.readableBytes)
        bytes.writeString("HTTP/1.1 \(head.status.code) \(head.status.reasonPhrase)\r\n")
        for (name, value) in head.headers { bytes.writeString("\(name): \(value)\r\n") }
        bytes.writeString("\r\n")
        bytes.writeImmutableBuffer(reply.body)
        context.writeAndFlush(wrapOutboundOut(bytes)).assumeIsolated().whenComplete { _ in context.closeLingering() }
    }

    func channelReadComplete(context: ChannelHandlerContext) {}
}
