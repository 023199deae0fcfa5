// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
public import Hummingbird
import Logging

/// Turns every error a route throws into an RFC 9457 `application/problem+json` response:
/// ``ProblemConvertible`` errors render themselves, hummingbird's `HTTPError` (no route, body
/// too large) keeps its status, anything else is logged and becomes an opaque 500.
public struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any ProblemConvertible {
            return error.problem.response()
        } catch let error as HTTPError {
            return Problem(
                status: Int(error.status.code), title: error.status.reasonPhrase,
                detail: error.body ?? error.status.reasonPhrase, type: "about:blank"
            ).response()
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return Problem(status: 500, title: "Internal Server Error", detail: "unexpected error", type: "/problems/internal")
                .response()
        }
    }
}

extension Problem {
    /// The HTTP response for this problem.
    public func response() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        if status == 401 { headers[.wwwAuthenticate] = "Bearer" }
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: encoded())))
    }
}
