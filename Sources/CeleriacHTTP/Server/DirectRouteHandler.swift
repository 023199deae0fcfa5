// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import Hummingbird
import NIOCore
import NIOHTTP1

/// Serves ``DirectRoute``s on the event loop and passes every other request on to
/// hummingbird. It works on HTTP/1's own parts, before their conversion to HTTPTypes, and
/// after ``ConnectionStateHandler``, so idle timeouts and graceful shutdown count its
/// requests like any other.
///
/// HTTP/1.1 answers requests in order, and a client may pipeline: a direct request that
/// arrives while hummingbird still owes an answer goes to hummingbird too (the router serves
/// the same route), and whatever arrives while a direct request is being answered waits,
/// reads paused, until its answer is written.
final class DirectRouteHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        /// Between requests.
        case idle
        /// Passing the current request's parts on to hummingbird.
        case forwarding
        /// Reading a direct request's body.
        case reading(DirectRoute, HTTPRequestHead)
        /// Waiting for a direct request's reply; what arrives meanwhile is held.
        case answering
        /// The reply asked for the connection to close, or the connection is gone.
        case closing
    }

    private let routes: [DirectRoute]
    private let serverName: String?
    private var state = State.idle
    /// The direct request's body so far; handed over (and replaced by an empty one) when answered.
    private var body = ByteBuffer()
    private var bodyTooLarge = false
    /// Requests passed to hummingbird whose response has not ended yet.
    private var unanswered = 0
    /// What arrived while a direct request was being answered, in order.
    private var held = CircularBuffer<HTTPServerRequestPart>()
    private var heldError: (any Error)?
    private var readHeld = false
    private let executor: EventLoopTaskExecutor

    init(routes: [DirectRoute], serverName: String?, eventLoop: any EventLoop) {
        executor = EventLoopTaskExecutor(eventLoop)
        self.routes = routes
        self.serverName = serverName
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch state {
        case .answering: held.append(unwrapInboundIn(data))
        case .closing: break
        default: handle(unwrapInboundIn(data), context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // Nothing more can be answered; a reply still being made is dropped when it comes.
        state = .closing
        held.removeAll()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A parse error after a pipelined direct request must not be answered before it.
        if case .answering = state { heldError = heldError ?? error } else { context.fireErrorCaught(error) }
    }

    func read(context: ChannelHandlerContext) {
        if case .answering = state { readHeld = true } else { context.read() }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // Only hummingbird's writes pass through here; direct replies start below this handler.
        if case .end = unwrapOutboundIn(data) { unanswered = max(0, unanswered - 1) }
        context.write(data, promise: promise)
    }

    private func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch (state, part) {
        case (.idle, .head(let head)):
            if unanswered == 0, let route = routes.first(where: { $0.matches(head) }) {
                state = .reading(route, head)
                let declared = head.headers.first(name: "content-length").flatMap { Int($0) } ?? 0
                bodyTooLarge = declared > route.maxBodyBytes
            } else {
                unanswered += 1
                state = .forwarding
                context.fireChannelRead(wrapInboundOut(part))
            }
        case (.reading(let route, _), .body(var chunk)):
            if !bodyTooLarge && body.readableBytes + chunk.readableBytes <= route.maxBodyBytes {
                body.writeBuffer(&chunk)
            } else {
                bodyTooLarge = true
                body.clear()
            }
        case (.reading(let route, let head), .end):
            state = .answering
            answer(route, head, context: context)
        case (.forwarding, _):
            if case .end = part { state = .idle }
            context.fireChannelRead(wrapInboundOut(part))
        default:
            // Out of order: NIO's decoder does not produce this; hummingbird rejects it.
            context.fireChannelRead(wrapInboundOut(part))
        }
    }

    private func answer(_ route: DirectRoute, _ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let close = !head.isKeepAlive
        let reply: EventLoopFuture<Reply>
        if bodyTooLarge {
            reply = context.eventLoop.makeSucceededFuture(Problem(DomainError.tooLarge(limit: route.maxBodyBytes)).reply)
        } else {
            let request = body
            let promise = context.eventLoop.makePromise(of: Reply.self)
            let direct = DirectRequest(head: head, remoteAddress: context.channel.remoteAddress?.ipAddress)
            Task(executorPreference: executor) { promise.succeed(await route.respond(direct, request)) }
            reply = promise.futureResult
        }
        body = ByteBuffer()
        reply.assumeIsolated().whenSuccess { self.write($0, close: close, context: context) }
    }

    private func write(_ reply: Reply, close: Bool, context: ChannelHandlerContext) {
        guard case .answering = state else { return }
        context.write(wrapOutboundOut(.head(reply.http1Head(serverName: serverName, close: close))), promise: nil)
        if reply.body.readableBytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(reply.body))), promise: nil) }
        guard !close else {
            state = .closing
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            return
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        state = .idle
        resume(context: context)
    }

    /// Goes on with what was held while answering, until it holds another direct request.
    private func resume(context: ChannelHandlerContext) {
        let hadHeld = !held.isEmpty
        while let part = held.popFirst() {
            handle(part, context: context)
            if case .answering = state { break }
        }
        if hadHeld { context.fireChannelReadComplete() }  // hummingbird's reader delivers on read-complete
        if case .answering = state { return }
        if let error = heldError {
            heldError = nil
            context.fireErrorCaught(error)
        }
        if readHeld {
            readHeld = false
            context.read()
        }
    }
}
