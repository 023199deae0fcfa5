// Celeriac — a Celery-compatible job service in Swift.

public import Hummingbird

/// A route answered by ``DirectRouteHandler`` on the channel pipeline instead of through
/// hummingbird's router. For the hottest route only (`POST /tasks`): it skips the async
/// request/response bridge, the router and the middleware chain, which cost more than the
/// route's own work (BENCHMARKS.md, "What profiling changed"). The router keeps the same
/// route, and serves it whenever the direct path steps aside.
public struct DirectRoute: Sendable {
    public let method: HTTPRequest.Method
    /// Matched exactly, before any query string; other spellings go to the router.
    public let path: String
    /// Longer bodies are answered 413 without calling `respond`.
    public let maxBodyBytes: Int
    /// The reply for a request and its whole body; errors are already replies
    /// (``Reply/catching(logger:path:_:)``).
    public let respond: @Sendable (HTTPRequest, ByteBuffer) async -> Reply

    public init(
        _ method: HTTPRequest.Method, _ path: String, maxBodyBytes: Int,
        respond: @escaping @Sendable (HTTPRequest, ByteBuffer) async -> Reply
    ) {
        self.method = method
        self.path = path
        self.maxBodyBytes = maxBodyBytes
        self.respond = respond
    }

    func matches(_ head: HTTPRequest) -> Bool {
        guard head.method == method, let target = head.path?.utf8, target.starts(with: path.utf8) else { return false }
        let rest = target.dropFirst(path.utf8.count)
        return rest.isEmpty || rest.first == UInt8(ascii: "?")
    }
}
