// Celeriac — a Celery-compatible job service in Swift.

/// Celery's task states, spelled as Celery stores them, plus `PROGRESS`: the custom state a
/// job reports progress in (Celery apps use the same name with `update_state`).
public enum TaskState: String, Sendable, CaseIterable {
    case pending = "PENDING"
    case received = "RECEIVED"
    case started = "STARTED"
    case progress = "PROGRESS"
    case retry = "RETRY"
    case success = "SUCCESS"
    case failure = "FAILURE"
    case revoked = "REVOKED"

    /// A final state: nothing will change it except a new run.
    public var isFinal: Bool { self == .success || self == .failure || self == .revoked }

    /// Orders states along one attempt so a late, older report never rolls a task back
    /// (STARTED arriving after SUCCESS is ignored). Attempts are ordered by their retry
    /// count first (``TaskReport/rank``): RETRY outranks its own attempt's STARTED, never the
    /// next attempt's.
    public var rank: Int {
        switch self {
        case .pending: 0
        case .received: 1
        case .started, .progress: 2
        case .retry: 3
        case .success, .failure, .revoked: 4
        }
    }

    /// Whether `later`, reported after this state where attempts cannot be told apart
    /// (history rows), replaces it: a further-along state does, and anything replaces RETRY
    /// (the next attempt follows it).
    public func isSuperseded(by later: TaskState) -> Bool { later.rank >= rank || self == .retry }

    /// Rank of a state within the whole task: attempt (retries so far), then state.
    public static func rank(_ state: TaskState, retries: Int) -> Int64 {
        Int64(retries) * 10 + Int64(state.rank)
    }
}
