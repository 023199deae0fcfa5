// Celeriac — a Celery-compatible job service in Swift.

import NIOCore
import NIOHTTP1

/// Hummingbird's `HTTPConnectionStateHandler`, on HTTP/1's own parts: it closes a connection
/// idle for `idleTimeout` (nothing in progress, or a request stuck half read), and on graceful
/// shutdown (`ChannelShouldQuiesceEvent`) closes it now, or once the requests in progress
/// are answered. It sits before the conversion to HTTPTypes, so it counts the requests
/// ``DirectRouteHandler`` answers (which never reach that conversion) like the router's. It
/// tells ``HeadTimeoutHandler``, in front of the decoder, when a head and a request are read.
final class ConnectionStateHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let idleTimeout: TimeAmount?
    /// Requests whose head was read and whose response has not ended.
    private var inProgress = 0
    private var readingRequest = false
    private var lastActive = NIODeadline.uptimeNanoseconds(0)
    private var closeAfterResponse = false
    private var idleTimer: Scheduled<Void>?

    init(idleTimeout: TimeAmount?) { self.idleTimeout = idleTimeout }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { becameActive(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        idleTimer = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        becameActive(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActive = context.eventLoop.now
        switch unwrapInboundIn(data) {
        case .head:
            readingRequest = true
            inProgress += 1
            context.triggerUserOutboundEvent(RequestProgress.headRead, promise: nil)
        case .body: break
        case .end:
            readingRequest = false
            context.triggerUserOutboundEvent(RequestProgress.requestRead, promise: nil)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = unwrapOutboundIn(data), inProgress > 0 else {
            context.write(data, promise: promise)
            return
        }
        inProgress -= 1
        if inProgress == 0 && closeAfterResponse {
            context.writeAndFlush(data, promise: promise)
            context.close(promise: nil)
            return
        }
        if inProgress == 0 {
            lastActive = context.eventLoop.now
            scheduleIdleTimer(context: context)
        }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        if inProgress > 0 { closeAfterResponse = true } else { context.close(promise: nil) }
    }

    private func becameActive(context: ChannelHandlerContext) {
        lastActive = context.eventLoop.now
        scheduleIdleTimer(context: context)
    }

    private func scheduleIdleTimer(context: ChannelHandlerContext) {
        guard let idleTimeout, idleTimer == nil else { return }
        idleTimer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(deadline: lastActive + idleTimeout) {
            self.idleTimer = nil
            self.idleTimerFired(context: context, timeout: idleTimeout)
        }
    }

    private func idleTimerFired(context: ChannelHandlerContext, timeout: TimeAmount) {
        // A request read whole and still being answered is not idle; the end of its response
        // starts the clock again.
        guard context.channel.isActive, readingRequest || inProgress == 0 else { return }
        if context.eventLoop.now >= lastActive + timeout {
            context.close(promise: nil)
        } else {
            scheduleIdleTimer(context: context)
        }
    }
}
