// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore

/// An RFC 9457 problem: what every error response of the API carries
/// (`application/problem+json`). The one place where a ``DomainError``'s code becomes an
/// HTTP status.
public struct Problem: Sendable, Equatable {
    public typealias FieldError = DomainError.FieldError

    public var status: Int
    public var title: String
    public var detail: String
    /// A URI reference naming the problem kind; relative to the API's docs.
    public var type: String
    public var errors: [FieldError]
    /// Seconds for a `Retry-After` header.
    public var retryAfter: Int?

    public init(
        status: Int, title: String, detail: String, type: String = "about:blank", errors: [FieldError] = [], retryAfter: Int? = nil
    ) {
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type
        self.errors = errors
        self.retryAfter = retryAfter
    }

    /// The response for a domain error: its code picks the status, its reason the type.
    public init(_ error: DomainError) {
        let (status, title, kind) = Self.rendering(error.code)
        self.init(
            status: status, title: title, detail: error.message, type: "/problems/" + (error.reason ?? kind),
            errors: error.fields, retryAfter: error.retryAfter)
    }

    /// Status, title and default type slug of each code.
    static func rendering(_ code: DomainError.Code) -> (Int, String, String) {
        switch code {
        case .malformed: (400, "Bad Request", "bad-request")
        case .invalid: (422, "Unprocessable Content", "validation")
        case .notFound: (404, "Not Found", "not-found")
        case .conflict: (409, "Conflict", "conflict")
        case .tooLarge: (413, "Content Too Large", "too-large")
        case .unauthenticated: (401, "Unauthorized", "unauthorized")
        case .forbidden: (403, "Forbidden", "forbidden")
        case .rateLimited: (429, "Too Many Requests", "rate-limited")
        case .unavailable: (503, "Service Unavailable", "unavailable")
        case .internal: (500, "Internal Server Error", "internal")
        }
    }

    /// The response body.
    public func encoded() -> String {
        var writer = JSONWriter(keyOrder: ["type", "title", "status", "detail", "errors", "pointer", "parameter"])
        writer.write(json)
        return writer.output
    }

    /// The body as a value, for a problem carried inside another answer (a batch's entry).
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "type": .string(type), "title": .string(title), "status": .int(Int64(status)), "detail": .string(detail),
        ]
        if !errors.isEmpty {
            object["errors"] = .array(
                errors.map { error in
                    .object([error.parameter == nil ? "pointer" : "parameter": .string(error.parameter ?? error.pointer),
                             "detail": .string(error.detail)])
                })
        }
        return .object(object)
    }
}
