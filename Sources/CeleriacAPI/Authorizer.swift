// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
import CeleriacHTTPServer

/// What a route needs from its caller.
public enum RouteAccess: Sendable, Equatable {
    /// Anyone (`/health`, `/ready`, `/openapi.yaml`).
    case open
    /// A caller holding this scope.
    case scope(Scope)
}

/// The one check between a request and a route: the router (``RouteTable``) and the direct
/// `POST /tasks` path both call ``authorize(authorization:for:)``.
///
/// Today only the worker scope has a credential (`CELERIAC_WORKER_TOKEN`): with it set,
/// `/internal/reports` needs that bearer token; every other scope is granted to anyone.
/// Named tokens with scopes replace this in the security issue, behind the same call.
public struct Authorizer: Sendable {
    let workerToken: BearerToken?

    public init(workerToken: String?) {
        self.workerToken = workerToken.map(BearerToken.init)
    }

    /// The caller's identity when it may use a route needing `access`.
    /// - Parameter authorization: the request's `Authorization` header, as sent.
    /// - Throws: ``DomainError`` `unauthenticated` (no valid credentials) or `forbidden`
    ///   (valid, without the scope).
    public func authorize(authorization: String?, for access: RouteAccess) throws(DomainError) -> Identity {
        guard case .scope(let scope) = access else { return .anonymous }
        let identity = try identify(authorization: authorization, for: scope)
        guard identity.scopes.contains(scope) else {
            throw DomainError(.forbidden, operation: "authorize", "this route needs the \(scope.rawValue) scope")
        }
        return identity
    }

    private func identify(authorization: String?, for scope: Scope) throws(DomainError) -> Identity {
        if scope == .worker, let workerToken {
            guard workerToken.matches(authorization: authorization) else { throw .unauthenticated() }
            return Identity(name: "worker", scopes: [.worker])
        }
        return Self.unrestricted
    }

    /// Who any caller is until named tokens exist: every scope (made once; `POST /tasks` asks
    /// on every request).
    static let unrestricted = Identity(name: "anonymous", scopes: Set(Scope.allCases))
}
