// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore

/// Why a PostgreSQL call failed, with libpq's message.
public enum PostgresError: Error, Sendable, Equatable, CustomStringConvertible {
    case connect(String)
    /// The server rejected the statement; `sqlState` is the five-character SQLSTATE.
    case query(sqlState: String, message: String)
    /// The connection broke; the statement may or may not have run.
    case connectionLost(String)
    case closed
    /// A value could not be read as the type asked for (``PGRow/decode(_:as:)``).
    case decode(column: String, message: String)

    public var description: String {
        switch self {
        case .connect(let m): "postgres connect: \(m)"
        case .query(let state, let m): "postgres [\(state)]: \(m)"
        case .connectionLost(let m): "postgres connection lost: \(m)"
        case .closed: "postgres connection closed"
        case .decode(let column, let m): "postgres column \(column): \(m)"
        }
    }
}

extension PostgresError {
    /// The server refused the statement for the values it carries (SQLSTATE class 22, data
    /// exception, or 23, integrity constraint violation): sending it again will not help.
    public var isDataError: Bool {
        guard case .query(let state, _) = self else { return false }
        return state.hasPrefix("22") || state.hasPrefix("23")
    }

    /// The statement itself was refused or its answer unreadable, as opposed to the
    /// connection failing (no server, a lost connection, SQLSTATE class 08, or the server
    /// shutting down, class 57): running it again will not help, trying later may.
    public var isRefusedStatement: Bool {
        switch self {
        case .query(let state, _): !state.hasPrefix("08") && !state.hasPrefix("57")
        case .decode: true
        default: false
        }
    }
}

extension PostgresError: DomainErrorConvertible {
    /// A refused statement is our bug; anything else means the database is away.
    public var domainError: DomainError {
        switch self {
        case .query, .decode: DomainError(.internal, operation: "postgres", "database error")
        default: DomainError(.unavailable, operation: "postgres", "the database (PostgreSQL) is unreachable; retry shortly")
        }
    }
}
