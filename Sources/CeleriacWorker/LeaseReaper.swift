// Celeriac — a Celery-compatible job service in Swift.

import CeleriacRedis
import Logging

/// Returns expired leases, and every lease of workers silent for `deadAfter`, of any worker,
/// to their queues, counting a crash for each (docs/delivery.md).
struct LeaseReaper: WorkerDuty {
    let broker: Broker
    let interval: Duration
    let deadAfterMilliseconds: Int
    let logger: Logger
    var name: String { "lease reaping" }

    func round() async throws {
        let returned = try await broker.reap(deadAfterMilliseconds: deadAfterMilliseconds)
        if !returned.isEmpty {
            logger.warning("returned tasks of lost workers to their queues", metadata: ["tasks": "\(returned)"])
        }
    }
}
