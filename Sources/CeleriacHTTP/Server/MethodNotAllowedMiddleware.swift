// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
public import Hummingbird

/// Answers `405 Method Not Allowed` with an `Allow` header (RFC 9110 §15.5.6) when the path
/// is served but not with the request's method; hummingbird's router answers 404 for both.
///
/// Add it after the routes: the router applies a middleware only to routes added after it,
/// and to its not-found responder, so this sees exactly the requests no route took.
public struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    private let routes: [(path: RouterPath, method: HTTPRequest.Method)]

    public init(routes: [Router<Context>.RouteDescription]) {
        self.routes = routes.map { ($0.path, $0.method) }
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = allowedMethods(path: request.uri.path)
            guard !allowed.isEmpty else { throw error }
            let list = allowed.joined(separator: ", ")
            var response = Problem(
                status: 405, title: "Method Not Allowed",
                detail: "\(request.method.rawValue.prefix(32)) is not allowed here; allowed: \(list)", type: "/problems/method-not-allowed"
            ).response()
            response.headers[.allow] = list
            return response
        }
    }

    /// The methods routes take at `path`, HEAD wherever GET is (the router generates it), sorted.
    /// A path that routes name literally (`/tasks/batch`) is theirs alone: the router matches
    /// it before a parameter (`/tasks/{id}`), so the parameter's methods do not apply there.
    func allowedMethods(path: String) -> [String] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        let matching = routes.filter { route in
            route.path.components.count == parts.count
                && zip(route.path.components, parts).allSatisfy { element, part in element ~= part }
        }
        let literal = matching.filter { route in
            route.path.components.allSatisfy { element in
                !element.description.contains { "{*!".contains($0) }
            }
        }
        var methods = Set<String>()
        for route in literal.isEmpty ? matching : literal {
            methods.insert(route.method.rawValue)
            if route.method == .get { methods.insert(HTTPRequest.Method.head.rawValue) }
        }
        return methods.sorted()
    }
}
