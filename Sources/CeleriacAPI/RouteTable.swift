// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import Hummingbird

/// The only way routes reach the router: each is added with the ``RouteAccess`` it needs,
/// and its handler runs only after ``Authorizer`` has allowed the caller (the identity is
/// in the context). Route groups get this table, never the router, so a route without an
/// access declaration does not compile.
final class RouteTable {
    typealias Handler = @Sendable (Request, APIRequestContext) async throws -> Response

    let router: Router<APIRequestContext>
    let authorizer: Authorizer
    /// What was declared, for the test that every route of the router has an access.
    private(set) var declared: [(method: HTTPRequest.Method, path: String, access: RouteAccess)] = []

    init(router: Router<APIRequestContext>, authorizer: Authorizer) {
        self.router = router
        self.authorizer = authorizer
    }

    func add(_ method: HTTPRequest.Method, _ path: String, access: RouteAccess, _ handler: @escaping Handler) {
        declared.append((method, path, access))
        let authorizer = self.authorizer
        router.on(RouterPath(path), method: method) { request, context in
            var context = context
            context.identity = try authorizer.authorize(
                authorization: request.headers[.authorization], for: access, address: context.remoteAddress)
            return try await handler(request, context)
        }
    }
}
