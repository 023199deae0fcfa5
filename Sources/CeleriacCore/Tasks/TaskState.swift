// Celeriac — a Celery-compatible job service in Swift.

/// Celery's task states, spelled as Celery stores them.
public enum TaskState: String, Sendable, CaseIterable {
    case pending = "PENDING"
    case received = "RECEIVED"
    case started = "STARTED"
    case retry = "RETRY"
    case success = "SUCCESS"
    case failure = "FAILURE"
    case revoked = "REVOKED"

    /// A final state: nothing will change it except a new run.
    public var isFinal: Bool { self == .success || self == .failure || self == .revoked }

    /// Orders states along one run so a late, older report never rolls a task back
    /// (STARTED arriving after SUCCESS is ignored).
    public var progress: Int {
        switch self {
        case .pending: 0
        case .received: 1
        case .started: 2
        case .retry: 3
        case .success, .failure, .revoked: 4
        }
    }
}
