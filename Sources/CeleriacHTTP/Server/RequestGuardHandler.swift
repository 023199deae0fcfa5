// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import NIOCore
import NIOHTTP1

/// Answers what never becomes a request with a problem+json and closes the connection: a
/// request target over the limit (414), a head over the decoder's size or count limits
/// (431), bytes that are not HTTP/1.1 (400). Hummingbird would answer a parse error with a
/// bare 400 and no body.
///
/// It sits before ``DirectRouteHandler``, so every response passes it: a refusal waits until
/// the responses owed for earlier (pipelined) requests are written, and nothing read after
/// the refused request is passed on.
final class RequestGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let maxURIBytes: Int
    private let serverName: String?
    /// Requests passed on whose response has not ended.
    private var unanswered = 0
    /// The last request passed on has not ended yet.
    private var reading = false
    /// A request passed on asked to close the connection after its answer: whatever follows
    /// it is never answered, refusals included.
    private var closing = false
    private var refusal: Problem?
    private var refused = false

    init(maxURIBytes: Int, serverName: String?) {
        self.maxURIBytes = maxURIBytes
        self.serverName = serverName
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // After a refusal, or after a request that closes the connection, nothing is read.
        guard refusal == nil, !(closing && !reading) else { return }
        let part = unwrapInboundIn(data)
        switch part {
        case .head(let head):
            guard head.uri.utf8.count <= maxURIBytes else {
                refuse(Self.uriTooLong(limit: maxURIBytes), context: context)
                return
            }
            unanswered += 1
            reading = true
            closing = !head.isKeepAlive
        case .body: break
        case .end: reading = false
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Once refused, the decoder's complaints about what still arrives are of no interest.
        guard refusal == nil else { return }
        guard let error = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        // The decoder also refuses any byte after a request that closes the connection.
        guard !(closing && !reading) else { return }
        // A request cut short by the error never ends, so nothing answers it: the refusal does.
        if reading && unanswered > 0 {
            unanswered -= 1
            reading = false
        }
        refuse(Self.problem(for: error), context: context)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        context.write(data, promise: promise)
        guard case .end = unwrapOutboundIn(data), unanswered > 0 else { return }
        unanswered -= 1
        if unanswered == 0, let refusal { answer(refusal, context: context) }
    }

    private func refuse(_ problem: Problem, context: ChannelHandlerContext) {
        guard refusal == nil else { return }
        refusal = problem
        if unanswered == 0 { answer(problem, context: context) }
    }

    private func answer(_ problem: Problem, context: ChannelHandlerContext) {
        guard !refused, context.channel.isActive else { return }
        refused = true
        let reply = problem.reply
        context.write(wrapOutboundOut(.head(reply.http1Head(serverName: serverName, close: true))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(reply.body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.closeLingering() }
    }

    static func uriTooLong(limit: Int) -> Problem {
        Problem(
            status: 414, title: "URI Too Long", detail: "the request target exceeds \(limit) bytes",
            type: "/problems/uri-too-long")
    }

    static func problem(for error: HTTPParserError) -> Problem {
        if case .headerOverflow = error {
            return Problem(
                status: 431, title: "Request Header Fields Too Large",
                detail: "the request head has too many header fields or too many bytes", type: "/problems/headers-too-large")
        }
        return Problem(
            status: 400, title: "Bad Request", detail: "the request is not valid HTTP/1.1 (\(error))",
            type: "/problems/malformed-http")
    }
}
