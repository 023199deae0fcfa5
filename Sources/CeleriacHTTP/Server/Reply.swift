// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
public import Hummingbird
public import Logging

/// A response whose body is already in memory. Direct routes (``DirectRoute``) write it on
/// the channel themselves; a router route returns its ``response``.
public struct Reply: Sendable {
    public var status: HTTPResponse.Status
    public var headers: HTTPFields
    public var body: ByteBuffer

    public init(status: HTTPResponse.Status, headers: HTTPFields = [:], body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON reply from pre-encoded text.
    public static func json(_ text: String, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Reply {
        var headers = extra
        headers[.contentType] = "application/json"
        return Reply(status: status, headers: headers, body: ByteBuffer(string: text))
    }

    public var response: Response { Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body)) }

    /// What `body` returns, or the problem reply for what it throws (``Problem/init(error:logger:path:)``).
    public static func catching(logger: Logger, path: String, _ body: () async throws -> Reply) async -> Reply {
        do {
            return try await body()
        } catch {
            return Problem(error: error, logger: logger, path: path).reply
        }
    }
}

extension Problem {
    /// The problem an error a route threw becomes: a ``DomainError`` (or an adapter error
    /// that has one) by its code, hummingbird's `HTTPError` (no route, body too large) keeps
    /// its status, anything else is logged and becomes an opaque 500.
    public init(error: any Error, logger: Logger, path: String) {
        switch error {
        case let error as any DomainErrorConvertible:
            let domain = error.domainError
            if domain.code == .internal {
                logger.error("internal error", metadata: ["error": "\(error)", "path": "\(path)"])
            }
            self.init(domain)
        case let error as HTTPError:
            self.init(
                status: Int(error.status.code), title: error.status.reasonPhrase,
                detail: error.body ?? error.status.reasonPhrase, type: Self.type(forStatus: Int(error.status.code)))
        default:
            logger.error("unhandled error", metadata: ["error": "\(error)", "path": "\(path)"])
            self.init(status: 500, title: "Internal Server Error", detail: "unexpected error", type: "/problems/internal")
        }
    }

    /// A stable type for a status hummingbird chose (no route, a body over its limit).
    static func type(forStatus status: Int) -> String {
        switch status {
        case 400: "/problems/bad-request"
        case 404: "/problems/not-found"
        case 405: "/problems/method-not-allowed"
        case 413: "/problems/too-large"
        default: "/problems/http-\(status)"
        }
    }

    /// The HTTP reply for this problem.
    public var reply: Reply {
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        if status == 401 { headers[.wwwAuthenticate] = #"Bearer realm="celeriac""# }
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Reply(status: HTTPResponse.Status(code: status), headers: headers, body: ByteBuffer(string: encoded()))
    }

    /// The HTTP response for this problem.
    public func response() -> Response { reply.response }
}

extension Response {
    /// A JSON response from pre-encoded text.
    public static func json(_ text: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        Reply.json(text, status: status, headers: headers).response
    }
}
