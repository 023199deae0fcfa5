// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore

/// Why a Redis call failed. `server` is a `-ERR` reply; the others mean the connection is
/// gone or unusable and the caller may retry once Redis is back.
public enum RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Could not connect, authenticate or select the database.
    case connect(String)
    /// The connection broke mid-command (timeout, reset, EOF). The command may have run.
    case io(operation: String, message: String)
    /// The server answered with an error reply.
    case server(String)
    /// The reply did not have the expected shape.
    case unexpectedReply(operation: String, reply: String)
    /// Still waiting out the reconnect backoff after a failure.
    case unavailable(String)

    public var description: String {
        switch self {
        case .connect(let m): "redis connect: \(m)"
        case .io(let op, let m): "redis \(op): \(m)"
        case .server(let m): "redis: \(m)"
        case .unexpectedReply(let op, let r): "redis \(op): unexpected reply \(r)"
        case .unavailable(let m): "redis unavailable: \(m)"
        }
    }

    /// True when retrying later might succeed (the server or network is the problem).
    public var isConnectionProblem: Bool {
        switch self {
        case .connect, .io, .unavailable: true
        case .server, .unexpectedReply: false
        }
    }
}

extension RedisError: DomainErrorConvertible {
    /// Connection trouble is `unavailable` (retry later); anything else is our bug.
    public var domainError: DomainError {
        isConnectionProblem
            ? DomainError(.unavailable, operation: "redis", "the broker (Redis) is unreachable; retry shortly")
            : DomainError(.internal, operation: "redis", "broker error")
    }
}
