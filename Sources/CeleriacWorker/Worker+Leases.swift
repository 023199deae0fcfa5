// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacRedis
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// Lease upkeep: heartbeat, renewal, reaping, and giving leases back.
extension Worker {
    /// Until the worker stops: records it alive every heartbeat interval, renews its leases
    /// every renew interval, and returns expired leases and dead workers' leases (of any
    /// worker) to their queues every reap interval. Runs through the shutdown grace period, so
    /// leases of tasks still running or still reporting stay alive.
    func keepLeasesAlive() async {
        let clock = ContinuousClock()
        var nextRenew = clock.now + configuration.renewInterval
        var nextHeartbeat = clock.now
        var nextReap = clock.now + configuration.reapInterval
        while !stopping.current {
            let now = clock.now
            do {
                if now >= nextRenew {
                    nextRenew = now + configuration.renewInterval
                    nextHeartbeat = now + configuration.heartbeatInterval
                    let tokens = held.withLock { $0.filter { !$0.value }.map(\.key) }
                    let gone = try await broker.renew(
                        worker: configuration.name, tokens: tokens, leaseMilliseconds: leaseMilliseconds)
                    // Leases whose final report the API just applied are gone too: not lost. A
                    // finishing task leaves `held` before `reporting`, so reading them in the
                    // other order never mistakes it for a loss.
                    let inFlight = reporting.current
                    let lost = held.withLock { held in gone.filter { held[$0] != nil && !inFlight.contains($0) } }
                    if !lost.isEmpty {
                        // Reaped while we were silent: another attempt may run; ours is fenced.
                        logger.warning("leases lost; their reports will be rejected", metadata: ["tokens": "\(lost)"])
                    }
                } else if now >= nextHeartbeat {
                    nextHeartbeat = now + configuration.heartbeatInterval
                    try await broker.heartbeat(worker: configuration.name)
                }
                if now >= nextReap {
                    nextReap = now + configuration.reapInterval
                    let returned = try await broker.reap(deadAfterMilliseconds: milliseconds(configuration.deadAfter))
                    if !returned.isEmpty {
                        logger.warning("returned tasks of lost workers to their queues", metadata: ["tasks": "\(returned)"])
                    }
                }
            } catch {
                logger.warning("lease upkeep failed; retrying", metadata: ["error": "\(error)"])
            }
            await upkeepStop.wait(timeout: .milliseconds(200))
        }
    }

    /// A worker restarted under the same name: what its previous run held is returned to the
    /// queues at once (counted as a crash) instead of waiting for the lease to expire.
    func recoverPreviousRun() async {
        await retrying("recover previous leases") {
            let returned = try await self.broker.reap(
                deadAfterMilliseconds: self.milliseconds(self.configuration.deadAfter), worker: self.configuration.name)
            if !returned.isEmpty {
                self.logger.warning("returned tasks of this worker's previous run", metadata: ["tasks": "\(returned)"])
            }
        }
    }

    /// Gives every lease still held back to its queue (no crash counted) and marks it
    /// released, so the attempt does not report.
    func releaseHeld(reason: String, reporter: Reporter) async {
        let tokens = held.withLock { held in
            let open = held.filter { !$0.value }.map(\.key)
            for token in open { held[token] = true }
            return open
        }
        guard !tokens.isEmpty else { return }
        reporter.abandon(leases: Set(tokens))
        await retrying("return unfinished tasks") {
            let returned = try await self.broker.release(tokens: tokens)
            self.logger.warning("returned unfinished tasks to their queues", metadata: ["count": "\(returned)", "reason": "\(reason)"])
        }
    }

    func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}
