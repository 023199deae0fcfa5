// Celeriac — a Celery-compatible job service in Swift.

/// What a caller may do (DESIGN §6): each route needs one scope, or none.
public enum Scope: String, Sendable, CaseIterable {
    /// `POST /tasks`.
    case submit
    /// Reading tasks, queues, workers, schedules, registered tasks.
    case read
    /// Schedules, revoke, queue pause and purge, tokens.
    case admin
    /// `POST /internal/reports`.
    case worker
}

/// Who is calling, once the authorizer has looked at the request.
public struct Identity: Sendable, Equatable {
    /// The token's name, or `anonymous`.
    public var name: String
    public var scopes: Set<Scope>

    public init(name: String, scopes: Set<Scope>) {
        self.name = name
        self.scopes = scopes
    }

    /// A caller who presented no credentials, where none are required.
    public static let anonymous = Identity(name: "anonymous", scopes: [])
}
