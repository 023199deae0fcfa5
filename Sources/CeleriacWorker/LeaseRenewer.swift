// Celeriac — a Celery-compatible job service in Swift.

import CeleriacRedis
import CeleriacSystem
import Logging

/// Extends the leases this worker holds every renew interval, and warns about leases reaped
/// while it was silent (their attempts are fenced: another attempt may run).
struct LeaseRenewer: WorkerDuty {
    let broker: Broker
    let worker: String
    let interval: Duration
    let leaseMilliseconds: Int
    let held: HeldLeases
    /// Held leases whose final report is on its way: the API ends such a lease when it applies
    /// the report, so a renewal finding it gone is expected, not a loss.
    let reporting: Locked<Set<String>>
    let logger: Logger
    var name: String { "lease renewal" }

    func round() async throws {
        let gone = try await broker.renew(worker: worker, tokens: held.active, leaseMilliseconds: leaseMilliseconds)
        // A finishing task leaves `held` before `reporting`, so reading them in this order
        // never mistakes it for a loss.
        let inFlight = reporting.current
        let lost = gone.filter { held.contains($0) && !inFlight.contains($0) }
        if !lost.isEmpty {
            logger.warning("leases lost; their reports will be rejected", metadata: ["tokens": "\(lost)"])
        }
    }
}
