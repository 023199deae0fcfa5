// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacRedis
import Logging

/// Giving leases back: a restarted worker's previous run, and this run's at shutdown.
extension Worker {
    /// A worker restarted under the same name: what its previous run held is returned to the
    /// queues at once (counted as a crash) instead of waiting for the lease to expire.
    func recoverPreviousRun() async {
        await retrying("recover previous leases") {
            let returned = try await self.broker.reap(
                deadAfterMilliseconds: Int(self.configuration.deadAfter.wholeMilliseconds), worker: self.configuration.name)
            if !returned.isEmpty {
                self.logger.warning("returned tasks of this worker's previous run", metadata: ["tasks": "\(returned)"])
            }
        }
    }

    /// Gives every lease still held back to its queue (no crash counted) and marks it
    /// released, so the attempt neither runs on nor reports.
    func releaseHeld(reason: String, reporter: Reporter) async {
        let tokens = held.releaseActive()
        guard !tokens.isEmpty else { return }
        reporter.abandon(leases: Set(tokens))
        await retrying("return unfinished tasks") {
            let returned = try await self.broker.release(tokens: tokens)
            self.logger.warning("returned unfinished tasks to their queues", metadata: ["count": "\(returned)", "reason": "\(reason)"])
        }
    }
}
