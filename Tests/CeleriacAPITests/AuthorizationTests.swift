// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTPServer
import CeleriacSystem
import Hummingbird
import Logging
import TestSupport
import Testing

@testable import CeleriacAPI

/// Every route declares the access it needs, and one authorizer decides for the router and
/// the direct `POST /tasks` path alike.
@Suite struct AuthorizationTests {
    func routes(workerToken: String? = nil) throws -> (router: Router<APIRequestContext>, table: RouteTable, tasks: TaskRoutes) {
        var environment = ["CELERIAC_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"]
        if let workerToken { environment["CELERIAC_WORKER_TOKEN"] = workerToken }
        let api = APIContext(settings: try Settings(environment: environment), clock: SystemClock(), logger: Logger(label: "test"))
        return APIServer.makeRoutes(api: api)
    }

    @Test func everyRouteOfTheRouterWasAddedWithAnAccess() throws {
        let (router, table, tasks) = try routes()
        let declared = Set(table.declared.map { "\($0.method) \(RouterPath($0.path))" })
        // The router generates HEAD for each GET route, through the same (checked) handler.
        let served = Set(router.routes.filter { $0.method != .head }.map { "\($0.method) \($0.path)" })
        #expect(!served.isEmpty && served == declared)
        #expect(table.declared.filter { $0.path == "/tasks" && $0.method == .post }.map(\.access) == [TaskRoutes.enqueueAccess])
        #expect(tasks.directEnqueue.path == "/tasks")
        #expect(table.declared.first { $0.path == "/internal/reports" }?.access == .scope(.worker))
        #expect(table.declared.filter { $0.access == .open }.map(\.path).sorted() == ["/health", "/openapi.yaml", "/ready"])
    }

    @Test func theWorkerScopeNeedsItsTokenWhenOneIsSet() throws {
        let authorizer = Authorizer(workerToken: "s3cret")
        #expect(throws: DomainError.unauthenticated()) { try authorizer.authorize(authorization: nil, for: .scope(.worker)) }
        #expect(throws: DomainError.unauthenticated()) {
            try authorizer.authorize(authorization: "Bearer s3cre", for: .scope(.worker))
        }
        #expect(throws: DomainError.unauthenticated()) {
            try authorizer.authorize(authorization: "Basic s3cret", for: .scope(.worker))
        }
        #expect(try authorizer.authorize(authorization: "Bearer s3cret", for: .scope(.worker)).scopes == [.worker])
        #expect(try authorizer.authorize(authorization: nil, for: .open) == .anonymous)
        // Until named tokens exist, the other scopes are granted to anyone.
        #expect(try authorizer.authorize(authorization: nil, for: .scope(.submit)).scopes.contains(.submit))
        // Without a worker token configured, reports are open (loopback development).
        #expect(try Authorizer(workerToken: nil).authorize(authorization: nil, for: .scope(.worker)).scopes.contains(.worker))
    }
}
