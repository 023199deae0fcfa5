// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacRedis
import Logging
import CeleriacSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One leased message, step by step: decode, skip it if revoked or expired, park it if its
/// ETA is ahead, run, report (or retry).
extension Worker {
    /// Decodes, runs and reports one leased message; the API ends its lease with the final report.
    func process(_ lease: Lease, executor: Executor, reporter: Reporter) async {
        var slot = ExecutionSlot(worker: self)
        defer { slot.end() }
        guard let task = await decode(lease) else { return }
        switch await run(task, lease: lease, executor: executor, reporter: reporter) {
        case nil:
            return
        case .final(var final)?:
            final.lease = lease.token
            slot.end()  // the job is done: its slot may take the next task while the report goes out
            await report(final, lease: lease, reporter: reporter)
        case .retry(var retry, let next, let at)?:
            retry.lease = lease.token
            slot.end()
            await scheduleRetry(retry, next: next, at: at, lease: lease, reporter: reporter)
        }
    }

    /// The message, or nil when it cannot be read: then it is moved to the dead-letter list
    /// with the reason, never retried in a loop.
    private func decode(_ lease: Lease) async -> TaskMessage? {
        do {
            return try TaskMessage.decode(lease.raw)
        } catch {
            logger.error("malformed message moved to \(RedisKeys.deadLetters)", metadata: ["reason": "\(error.reason)"])
            await retrying("dead-letter") {
                try await self.broker.deadLetter(
                    worker: self.configuration.name, lease: lease, reason: error.reason, at: self.clock.now)
            }
            held.remove(lease.token)
            return nil
        }
    }

    /// Runs the task and returns its outcome; nil when it does not run now (parked until its
    /// ETA, or its lease given back at shutdown).
    private func run(_ task: TaskMessage, lease: Lease, executor: Executor, reporter: Reporter) async -> Executor.Outcome? {
        let queue = task.queue ?? lease.queueKey
        if lease.crashes >= configuration.maxCrashes {
            logger.error(
                "task crashed its worker too often; failing it", metadata: ["task_id": "\(task.id)", "crashes": "\(lease.crashes)"])
            return .final(executor.crashedReport(task, queue: queue, crashes: lease.crashes))
        }
        if revoked.contains(task.id, now: clock.now) {
            return .final(executor.revokedReport(task, queue: queue, reason: "revoked"))
        }
        if let eta = task.eta.flatMap(CeleryTime.parse), eta > clock.now {
            // Due later (a Celery client publishes ETA tasks straight to the queue): parked in
            // Redis until then, never held in this process (no duplicates when it dies or stops
            // meanwhile, unlike kombu#337).
            await retrying("park an ETA task") {
                try await self.broker.park(lease, worker: self.configuration.name, until: eta)
            }
            held.remove(lease.token)
            return nil
        }
        guard !held.isReleased(lease.token) && !Task.isCancelled else { return nil }
        if let expires = task.expires.flatMap(CeleryTime.parse), expires < clock.now {
            return .final(executor.revokedReport(task, queue: queue, reason: "expired"))
        }
        var started = executor.startedReport(task, queue: queue)
        started.lease = lease.token
        reporter.post(started)
        let token = lease.token
        let outcome = await executor.execute(task, queue: queue) { progress in
            var progress = progress
            progress.lease = token
            reporter.post(progress)
        }
        // The start time travels with the result: its STARTED report may be folded away
        // (Reporter.folded) or be ignored as stale after a retried batch.
        switch outcome {
        case .final(var final):
            final.startedAt = final.startedAt ?? started.timestamp
            return .final(final)
        case .retry(var retry, let next, let at):
            retry.startedAt = retry.startedAt ?? started.timestamp
            return .retry(retry, next: next, at: at)
        }
    }

    /// Reports RETRY, then parks the next attempt's message in place of this one's lease, as
    /// Celery re-sends a retried task (same id, `retries` + 1, `eta`). Reported first: the next
    /// attempt may start the moment it is parked. A worker lost in between leaves the lease to
    /// expire, and the same attempt runs again (a crash, not a retry).
    private func scheduleRetry(_ retry: TaskReport, next: TaskMessage, at: Date, lease: Lease, reporter: Reporter) async {
        guard !held.isReleased(lease.token) && !Task.isCancelled else { return }
        reporting.withLock { _ = $0.insert(lease.token) }
        defer { reporting.withLock { _ = $0.remove(lease.token) } }
        guard await reporter.deliver(retry) else { return }
        let envelope = next.encoded()
        await retrying("park a retried task") {
            try await self.broker.park(lease, worker: self.configuration.name, until: at, replacement: envelope)
        }
        held.remove(lease.token)
        logger.info(
            "task will be retried", metadata: ["task_id": "\(retry.id)", "retries": "\(retry.retries + 1)", "at": "\(CeleryTime.format(at))"])
    }

    /// Delivers the final report; the lease is forgotten once the API accepted it.
    private func report(_ final: TaskReport, lease: Lease, reporter: Reporter) async {
        // Given back at shutdown, or cut short by cancellation (second SIGINT; its outcome is a
        // CancellationError, not the task's): another attempt will report; this one stays silent.
        guard !held.isReleased(lease.token) && !Task.isCancelled else { return }
        reporting.withLock { _ = $0.insert(lease.token) }
        defer { reporting.withLock { _ = $0.remove(lease.token) } }
        guard await reporter.deliver(final) else { return }  // reporter stopped: the lease is released
        held.remove(lease.token)
    }
}

/// A task's claim on one of the worker's execution slots, given up once (when its job ends,
/// or on any early return).
struct ExecutionSlot {
    private let worker: Worker
    private var ended = false

    init(worker: Worker) { self.worker = worker }

    mutating func end() {
        guard !ended else { return }
        ended = true
        worker.executing.withLock { $0 -= 1 }
        worker.slotFreed.notify()
    }
}
