// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
public import Hummingbird
import Logging

/// Turns every error a route throws into an RFC 9457 `application/problem+json` response
/// (``Problem/init(error:logger:path:)``).
public struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return Problem(error: error, logger: context.logger, path: request.uri.path).response()
        }
    }
}
