// Celeriac — a Celery-compatible job service in Swift.

/// What went wrong, in the service's terms: a closed ``Code`` callers switch on, the
/// operation that failed and a message for people (asynq's `Op` + `Code`). Core and the
/// adapters throw these; only the API decides what each code is in HTTP.
public struct DomainError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of failure a caller can act on.
    public enum Code: String, Sendable, CaseIterable {
        /// The input cannot be read at all (not JSON, empty, bad header).
        case malformed
        /// The input was read but breaks a rule; ``fields`` says which.
        case invalid
        case notFound
        /// The request clashes with the current state (an idempotency key reused, a lease superseded).
        case conflict
        /// The input is larger than allowed.
        case tooLarge
        /// No valid credentials were presented.
        case unauthenticated
        /// The caller is known but may not do this.
        case forbidden
        /// Too many requests (or failed authentications) lately; ``retryAfter`` says when to come back.
        case rateLimited
        /// A service we depend on is down; retrying later may work.
        case unavailable
        /// Our own fault.
        case `internal`
    }

    /// One field that failed validation; `pointer` is a JSON Pointer into the input, or, for a
    /// request's query string, `parameter` names the query parameter (and `pointer` is empty).
    public struct FieldError: Sendable, Equatable {
        public var pointer: String
        public var detail: String
        public var parameter: String?
        public init(pointer: String, detail: String) {
            self.pointer = pointer
            self.detail = detail
        }
        public init(parameter: String, detail: String) {
            self.init(pointer: "", detail: detail)
            self.parameter = parameter
        }
    }

    public var code: Code
    /// What was being done (`enqueue`, `reports.decode`, `redis.publish`).
    public var operation: String
    public var message: String
    public var fields: [FieldError]
    /// A stable slug naming this kind of problem more narrowly than ``code``
    /// (`idempotency-conflict`, `stale-lease`); nil for the code's general kind.
    public var reason: String?
    /// Seconds until a retry may succeed (`Retry-After`), for ``Code/rateLimited`` and ``Code/unavailable``.
    public var retryAfter: Int?

    public init(
        _ code: Code, operation: String, _ message: String, fields: [FieldError] = [], reason: String? = nil, retryAfter: Int? = nil
    ) {
        self.code = code
        self.operation = operation
        self.message = message
        self.fields = fields
        self.reason = reason
        self.retryAfter = retryAfter
    }

    public var description: String { "\(operation): \(message)" }
}

extension DomainError {
    /// Validation failed for `fields`; the message lists them.
    public static func invalid(_ operation: String, _ fields: [FieldError]) -> DomainError {
        DomainError(
            .invalid, operation: operation, fields.map { "\($0.parameter ?? $0.pointer): \($0.detail)" }.joined(separator: "; "),
            fields: fields)
    }

    public static func malformed(_ operation: String, _ message: String) -> DomainError {
        DomainError(.malformed, operation: operation, message)
    }

    /// A request body over `limit` bytes.
    public static func tooLarge(limit: Int) -> DomainError {
        DomainError(.tooLarge, operation: "request", "request body exceeds \(limit) bytes")
    }

    /// No usable bearer token.
    public static func unauthenticated() -> DomainError {
        DomainError(.unauthenticated, operation: "authorize", "missing or invalid bearer token")
    }
}

/// An error an adapter raises that has a domain meaning (Redis down is ``DomainError/Code/unavailable``).
public protocol DomainErrorConvertible: Error {
    var domainError: DomainError { get }
}

extension DomainError: DomainErrorConvertible {
    public var domainError: DomainError { self }
}
