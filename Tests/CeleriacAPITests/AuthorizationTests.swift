// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTPServer
import CeleriacSystem
import Foundation
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

    /// A table holding `token` (scopes given), and the token.
    static func table(scopes: Set<Scope>, name: String = "ci") -> (TokenTable, String, APIToken) {
        let secret = TokenSecret.generate()
        let token = APIToken(id: 7, name: name, scopes: scopes, sha256: secret.sha256, createdAt: Date())
        let table = TokenTable()
        table.replace(with: [token])
        return (table, secret.token, token)
    }

    @Test func aTokenOpensWhatItsScopesAllowAndNothingElse() throws {
        let (tokens, token, record) = Self.table(scopes: [.submit, .read])
        let authorizer = Authorizer(tokens: tokens, workerToken: nil)
        #expect(try authorizer.authorize(authorization: "Bearer \(token)", for: .scope(.submit)).name == "ci")
        #expect(try authorizer.authorize(authorization: "Bearer \(token)", for: .scope(.read)).scopes == [.submit, .read])
        #expect(throws: DomainError(.forbidden, operation: "authorize", "this route needs the admin scope")) {
            try authorizer.authorize(authorization: "Bearer \(token)", for: .scope(.admin))
        }
        for bad in [nil, "Bearer", "Bearer ", "Basic \(token)", "bearer \(token)", "Bearer \(token)x", "Bearer \(token.dropLast())",
                    "Bearer cel_" + String(repeating: "A", count: 43), "Bearer " + String(repeating: "x", count: 4000)] {
            #expect(throws: DomainError.unauthenticated(), "\(String(describing: bad).prefix(40))") {
                try authorizer.authorize(authorization: bad, for: .scope(.read))
            }
        }
        #expect(try authorizer.authorize(authorization: nil, for: .open) == .anonymous)
        // Revoked: gone from the table.
        tokens.remove(id: record.id)
        #expect(throws: DomainError.unauthenticated()) { try authorizer.authorize(authorization: "Bearer \(token)", for: .scope(.read)) }
        var revoked = record
        revoked.revokedAt = Date()
        tokens.replace(with: [revoked])
        #expect(throws: DomainError.unauthenticated()) { try authorizer.authorize(authorization: "Bearer \(token)", for: .scope(.read)) }
    }

    @Test func aReloadReadBeforeALocalRevokeDoesNotBringTheTokenBack() throws {
        let (tokens, token, record) = Self.table(scopes: [.read])
        let authorizer = Authorizer(tokens: tokens, workerToken: nil)
        let since = tokens.changes
        tokens.remove(id: record.id)  // revoked through this API while a reload was reading
        #expect(!tokens.replace(with: [record], unlessChangedSince: since))
        #expect(throws: DomainError.unauthenticated()) { try authorizer.authorize(authorization: "Bearer \(token)", for: .scope(.read)) }
        #expect(tokens.replace(with: [], unlessChangedSince: tokens.changes))
    }

    @Test func usesAreNotedForLastUsedAt() throws {
        let (tokens, token, record) = Self.table(scopes: [.read])
        let clock = ManualClock(now: Date(timeIntervalSince1970: 1_800_000_000))
        let authorizer = Authorizer(tokens: tokens, workerToken: nil, clock: clock)
        _ = try authorizer.authorize(authorization: "Bearer \(token)", for: .scope(.read))
        #expect(tokens.takeUsed() == [record.id: clock.now])
        #expect(tokens.takeUsed().isEmpty)
    }

    @Test func theWorkerTokenOfTheEnvironmentHoldsTheWorkerScopeAlone() throws {
        let authorizer = Authorizer(tokens: TokenTable(), workerToken: "s3cret-worker")
        #expect(try authorizer.authorize(authorization: "Bearer s3cret-worker", for: .scope(.worker)).scopes == [.worker])
        #expect(throws: DomainError.self) { try authorizer.authorize(authorization: "Bearer s3cret-worker", for: .scope(.submit)) }
        #expect(throws: DomainError.unauthenticated()) { try authorizer.authorize(authorization: "Bearer s3cret-worke", for: .scope(.worker)) }
    }

    @Test func withAuthenticationOffAnyoneHoldsEveryScope() throws {
        let authorizer = Authorizer(tokens: TokenTable(), workerToken: nil, required: false)
        #expect(try authorizer.authorize(authorization: nil, for: .scope(.admin)).scopes == Set(Scope.allCases))
    }

    @Test func anAddressThatKeepsFailingIsRefusedUntilItsMinuteIsOver() throws {
        let (tokens, token, _) = Self.table(scopes: [.read])
        let clock = ManualClock(now: Date(timeIntervalSince1970: 1_800_000_000))
        let authorizer = Authorizer(tokens: tokens, workerToken: nil, failures: AuthFailures(limit: 3, window: 60), clock: clock)
        for _ in 0..<3 {
            #expect(throws: DomainError.unauthenticated()) {
                try authorizer.authorize(authorization: "Bearer guess", for: .scope(.read), address: "10.0.0.9")
            }
        }
        clock.advance(by: 10)
        do {
            _ = try authorizer.authorize(authorization: "Bearer \(token)", for: .scope(.read), address: "10.0.0.9")
            Issue.record("a blocked address must be refused, even with a good token")
        } catch {
            #expect(error.code == .rateLimited && error.retryAfter == 50)
        }
        // Another address is not affected; the blocked one is let in once its minute is over.
        #expect(try authorizer.authorize(authorization: "Bearer \(token)", for: .scope(.read), address: "10.0.0.8").name == "ci")
        clock.advance(by: 51)
        #expect(try authorizer.authorize(authorization: "Bearer \(token)", for: .scope(.read), address: "10.0.0.9").name == "ci")
        // Problem: 429 with Retry-After.
        let problem = Problem(DomainError(.rateLimited, operation: "authorize", "slow down", retryAfter: 50))
        #expect(problem.status == 429 && problem.reply.headers[.retryAfter] == "50" && problem.type == "/problems/rate-limited")
    }

    @Test func aTokenOverItsRateIsRefusedUntilItsBucketRefills() throws {
        let (tokens, token, _) = Self.table(scopes: [.read])
        let clock = ManualClock(now: Date(timeIntervalSince1970: 1_800_000_000))
        let authorizer = Authorizer(
            tokens: tokens, workerToken: "worker-secret", rates: TokenRates(perSecond: 2, burst: 3), clock: clock)
        for _ in 0..<3 { #expect(try authorizer.authorize(authorization: "Bearer \(token)", for: .scope(.read)).name == "ci") }
        do {
            _ = try authorizer.authorize(authorization: "Bearer \(token)", for: .scope(.read))
            Issue.record("a fourth request at once must be over a burst of 3")
        } catch {
            #expect(error.code == .rateLimited && error.retryAfter == 1 && error.reason == "token-rate-limited")
            #expect(Problem(error).type == "/problems/token-rate-limited" && Problem(error).status == 429)
        }
        // Half a second at 2/s refills one request, not two.
        clock.advance(by: 0.5)
        #expect(try authorizer.authorize(authorization: "Bearer \(token)", for: .scope(.read)).name == "ci")
        #expect(throws: DomainError.self) { try authorizer.authorize(authorization: "Bearer \(token)", for: .scope(.read)) }
        // The worker token is never limited.
        for _ in 0..<20 {
            #expect(try authorizer.authorize(authorization: "Bearer worker-secret", for: .scope(.worker)).scopes == [.worker])
        }
        // Off by default: no limit at all.
        let unlimited = Authorizer(tokens: tokens, workerToken: nil, clock: clock)
        for _ in 0..<1000 { _ = try unlimited.authorize(authorization: "Bearer \(token)", for: .scope(.read)) }
    }

    @Test func scopesAndNamesAreChecked() throws {
        #expect(try Scope.parseList("submit, read", operation: "t") == [.submit, .read])
        #expect(throws: DomainError.self) { try Scope.parseList("submit,root", operation: "t") }
        #expect(throws: DomainError.self) { try Scope.parseList("", operation: "t") }
        try APIToken.checkName("ci-deploy@host.1", operation: "t")
        for bad in ["", "a b", "x\ny", String(repeating: "a", count: 101), "tok;en"] {
            #expect(throws: DomainError.self) { try APIToken.checkName(bad, operation: "t") }
        }
        let generated = TokenSecret.generate()
        #expect(generated.token.hasPrefix("cel_") && generated.token.count == 47 && generated.sha256 == TokenSecret.sha256(generated.token))
        #expect(TokenSecret.sha256("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Base64URL.decode(Base64URL.encode([0xFB, 0xFF, 0x00])) == [0xFB, 0xFF, 0x00] && Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.decode("a+b/") == nil)
    }
}
