// Celeriac — a Celery-compatible job service in Swift.

import CeleriacSystem

/// The leases this worker process holds, by fencing token, and whether each attempt is still
/// its to finish: a lease given back (shutdown) is `released` and its attempt must neither
/// run nor report; another attempt will.
final class HeldLeases: Sendable {
    enum State {
        /// Claimed by this process; its attempt runs or reports.
        case active
        /// Given back to the queue; its attempt stays silent.
        case released
    }

    private let leases = Locked<[String: State]>([:])

    func add(_ tokens: some Sequence<String>) {
        leases.withLock { for token in tokens { $0[token] = .active } }
    }

    /// True when the lease was given back, or is no longer held at all.
    func isReleased(_ token: String) -> Bool {
        leases.withLock { $0[token] ?? .released } == .released
    }

    /// True while the lease is held in any state.
    func contains(_ token: String) -> Bool { leases.withLock { $0[token] != nil } }

    /// Forgets a lease: its final report was accepted, or its message dead-lettered.
    func remove(_ token: String) {
        _ = leases.withLock { $0.removeValue(forKey: token) }
    }

    /// Tokens of the active leases (to renew).
    var active: [String] { leases.withLock { $0.filter { $0.value == .active }.map(\.key) } }

    /// Marks every active lease released and returns their tokens (to give back).
    func releaseActive() -> [String] {
        leases.withLock { leases in
            let open = leases.filter { $0.value == .active }.map(\.key)
            for token in open { leases[token] = .released }
            return open
        }
    }
}
