// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
import CeleriacHTTPServer
public import CeleriacSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a route needs from its caller.
public enum RouteAccess: Sendable, Equatable {
    /// Anyone (`/health`, `/ready`, `/openapi.yaml`).
    case open
    /// A caller holding this scope.
    case scope(Scope)
}

/// The one check between a request and a route: the router (``RouteTable``) and the direct
/// `POST /tasks` path both call ``authorize(authorization:for:address:)``.
///
/// A caller is who its `Authorization: Bearer <token>` says: a named token of
/// ``TokenTable`` (made with `celeriac token create` or `POST /tokens`), or the
/// `CELERIAC_WORKER_TOKEN` both the API and the workers were given (scope `worker` only).
/// No token, an unknown or revoked one: 401. A token without the route's scope: 403. An
/// address that failed too often lately: 429 until its window passes; so is a token over its
/// request rate (``TokenRates``, off by default). With authentication
/// off (`CELERIAC_AUTH=off`, for a laptop) every caller holds every scope.
public struct Authorizer: Sendable {
    let tokens: TokenTable
    let workerToken: BearerToken?
    let required: Bool
    let failures: AuthFailures
    let rates: TokenRates
    let clock: any WallClock

    public init(
        tokens: TokenTable, workerToken: String?, required: Bool = true, failures: AuthFailures = AuthFailures(),
        rates: TokenRates = TokenRates(), clock: any WallClock = SystemClock()
    ) {
        self.tokens = tokens
        self.workerToken = workerToken.map(BearerToken.init)
        self.required = required
        self.failures = failures
        self.rates = rates
        self.clock = clock
    }

    /// The caller's identity when it may use a route needing `access`.
    /// - Parameters:
    ///   - authorization: the request's `Authorization` header, as sent.
    ///   - address: the peer's IP address, whose failures are counted.
    /// - Throws: ``DomainError`` `unauthenticated` (no valid token), `forbidden` (a valid
    ///   token without the scope) or `rateLimited` (too many failures from `address`).
    public func authorize(authorization: String?, for access: RouteAccess, address: String? = nil) throws(DomainError) -> Identity {
        guard case .scope(let scope) = access else { return .anonymous }
        guard required else { return Self.unrestricted }
        let now = clock.now
        if let address, let wait = failures.blocked(address, now: now) {
            throw DomainError(
                .rateLimited, operation: "authorize", "too many failed authentications from this address; retry in \(wait) s",
                retryAfter: wait)
        }
        guard let identity = identify(authorization, now: now) else {
            if let address { failures.record(address, now: now) }
            throw .unauthenticated()
        }
        guard identity.scopes.contains(scope) else {
            throw DomainError(.forbidden, operation: "authorize", "this route needs the \(scope.rawValue) scope")
        }
        // Workers report as fast as tasks finish: their tokens are not rate limited.
        if rates.enabled, !identity.scopes.contains(.worker), let wait = rates.take(identity.name, now: now) {
            throw DomainError(
                .rateLimited, operation: "authorize", "token \(identity.name) is over its request rate; retry in \(wait) s",
                reason: "token-rate-limited", retryAfter: wait)
        }
        return identity
    }

    private func identify(_ authorization: String?, now: Date) -> Identity? {
        guard let authorization, authorization.utf8.count <= 512, authorization.hasPrefix("Bearer ") else { return nil }
        let token = String(authorization.dropFirst(7))
        if let identity = tokens.identify(token, now: now) { return identity }
        if let workerToken, workerToken.matches(authorization: authorization) { return Self.worker }
        return nil
    }

    static let worker = Identity(name: "CELERIAC_WORKER_TOKEN", scopes: [.worker])

    /// Who any caller is with authentication off (made once: `POST /tasks` asks on every request).
    static let unrestricted = Identity(name: "anonymous", scopes: Set(Scope.allCases))
}
