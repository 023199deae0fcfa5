// Celeriac — a Celery-compatible job service in Swift.

import NIOCore

/// How far the current request has been read, sent toward the front of the pipeline (an
/// outbound user event) by ``ConnectionStateHandler``, which sees the parsed parts.
enum RequestProgress: Sendable {
    case headRead
    case requestRead
}

/// Closes a connection whose request head is not read whole within `timeout` of its first
/// byte: a client trickling its headers (slowloris) holds a connection for that long at most.
/// It sits before the HTTP decoder, on raw bytes, because the decoder shows nothing of a head
/// until it is complete. The wait for a request's first byte is the idle timeout's business.
final class HeadTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let timeout: TimeAmount
    /// Between a request's end and the next head: bytes now belong to a head.
    private var awaitingHead = true
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount) { self.timeout = timeout }

    func handlerRemoved(context: ChannelHandlerContext) { cancelTimer() }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if awaitingHead && timer == nil {
            timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: timeout) {
                context.close(promise: nil)
            }
        }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let progress = event as? RequestProgress else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        switch progress {
        case .headRead:
            awaitingHead = false
            cancelTimer()
        case .requestRead:
            awaitingHead = true
        }
        promise?.succeed()
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }
}
