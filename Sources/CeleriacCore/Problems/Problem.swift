// Celeriac — a Celery-compatible job service in Swift.

/// An RFC 9457 problem: what every error response of the API carries
/// (`application/problem+json`).
public struct Problem: Error, Sendable, Equatable {
    /// One field that failed validation; `pointer` is a JSON Pointer into the request body.
    public struct FieldError: Sendable, Equatable {
        public var pointer: String
        public var detail: String
        public init(pointer: String, detail: String) {
            self.pointer = pointer
            self.detail = detail
        }
    }

    public var status: Int
    public var title: String
    public var detail: String
    /// A URI reference naming the problem kind; relative to the API's docs.
    public var type: String
    public var errors: [FieldError]

    public init(status: Int, title: String, detail: String, type: String = "about:blank", errors: [FieldError] = []) {
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type
        self.errors = errors
    }

    /// The response body.
    public func encoded() -> String {
        var object: [String: JSONValue] = [
            "type": .string(type), "title": .string(title), "status": .int(Int64(status)), "detail": .string(detail),
        ]
        if !errors.isEmpty {
            object["errors"] = .array(
                errors.map { .object(["pointer": .string($0.pointer), "detail": .string($0.detail)]) })
        }
        var writer = JSONWriter(keyOrder: ["type", "title", "status", "detail", "errors", "pointer"])
        writer.write(.object(object))
        return writer.output
    }
}

extension Problem {
    public static func badRequest(_ detail: String) -> Problem {
        Problem(status: 400, title: "Bad Request", detail: detail, type: "/problems/bad-request")
    }
    public static func invalid(_ errors: [FieldError]) -> Problem {
        Problem(
            status: 422, title: "Unprocessable Content",
            detail: errors.map { "\($0.pointer): \($0.detail)" }.joined(separator: "; "),
            type: "/problems/validation", errors: errors)
    }
    public static func notFound(_ detail: String) -> Problem {
        Problem(status: 404, title: "Not Found", detail: detail, type: "/problems/not-found")
    }
    public static func tooLarge(limit: Int) -> Problem {
        Problem(
            status: 413, title: "Content Too Large", detail: "request body exceeds \(limit) bytes",
            type: "/problems/too-large")
    }
    public static func unauthorized() -> Problem {
        Problem(status: 401, title: "Unauthorized", detail: "missing or invalid bearer token", type: "/problems/unauthorized")
    }
    public static func unavailable(_ detail: String) -> Problem {
        Problem(status: 503, title: "Service Unavailable", detail: detail, type: "/problems/unavailable")
    }
}

/// An error that knows which problem response it becomes (hummingbird's
/// `HTTPResponseError` habit, kept free of HTTP types so adapters can conform).
public protocol ProblemConvertible: Error {
    var problem: Problem { get }
}

extension Problem: ProblemConvertible {
    public var problem: Problem { self }
}
