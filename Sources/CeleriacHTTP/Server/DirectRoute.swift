// Celeriac — a Celery-compatible job service in Swift.

public import Hummingbird
import NIOHTTP1

/// A route answered by ``DirectRouteHandler`` on the channel pipeline instead of through
/// hummingbird's router. For the hottest route only (`POST /tasks`): it skips the async
/// request/response bridge, the router, the middleware chain and the conversion to and from
/// HTTPTypes, which cost more than the route's own work (BENCHMARKS.md, "What profiling
/// changed"). The router keeps the same route, and serves it whenever the direct path steps aside.
public struct DirectRoute: Sendable {
    let method: NIOHTTP1.HTTPMethod
    /// Matched exactly, before any query string; other spellings go to the router.
    public let path: String
    /// Longer bodies are answered 413 without calling `respond`.
    public let maxBodyBytes: Int
    /// The reply for a request and its whole body; errors are already replies
    /// (``Reply/catching(logger:path:_:)``).
    public let respond: @Sendable (DirectRequest, ByteBuffer) async -> Reply

    public init(
        _ method: HTTPRequest.Method, _ path: String, maxBodyBytes: Int,
        respond: @escaping @Sendable (DirectRequest, ByteBuffer) async -> Reply
    ) {
        self.method = NIOHTTP1.HTTPMethod(rawValue: method.rawValue)
        self.path = path
        self.maxBodyBytes = maxBodyBytes
        self.respond = respond
    }

    func matches(_ head: HTTPRequestHead) -> Bool {
        guard head.method == method, head.uri.utf8.starts(with: path.utf8) else { return false }
        let rest = head.uri.utf8.dropFirst(path.utf8.count)
        return rest.isEmpty || rest.first == UInt8(ascii: "?")
    }
}

/// The head of a request a ``DirectRoute`` answers.
public struct DirectRequest: Sendable {
    let head: HTTPRequestHead
    /// The peer's IP address.
    public let remoteAddress: String?

    /// The first value of the header field `name` (any case), as sent.
    public func header(_ name: String) -> String? { head.headers.first(name: name) }
}
