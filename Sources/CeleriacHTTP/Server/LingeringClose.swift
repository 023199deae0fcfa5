// Celeriac — a Celery-compatible job service in Swift.

import NIOCore

extension ChannelHandlerContext {
    /// Ends a connection after a refusal without losing the refusal: closing a socket with
    /// unread bytes (the rest of an oversized head, a body) sends a reset, and a client that
    /// gets the reset before it reads the answer never sees it. So the output is closed first
    /// (the client reads the answer, then the end of the stream), what the client still
    /// sends is read and dropped, and the connection closes when the client closes its side
    /// or after `linger`.
    func closeLingering(linger: TimeAmount = .seconds(2)) {
        let context = self
        close(mode: .output).assumeIsolated().whenComplete { result in
            guard case .success = result else {
                context.close(promise: nil)
                return
            }
            context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: linger) { context.close(promise: nil) }
        }
    }
}
