// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacJobs
import CeleriacCore
import CeleriacHTTP
import CeleriacRedis
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import Logging
public import ServiceLifecycle

/// A worker process: leases messages from its queues, runs them with bounded concurrency and
/// reports each state change through the API. The lease ends when the API accepts the final
/// report (it applies the report and ends the lease in one script), never before.
///
/// On graceful shutdown (SIGTERM, first SIGINT) it stops claiming and lets running tasks
/// finish for ``WorkerConfiguration/shutdownGrace``; what is still running then, or on
/// cancellation (second SIGINT), goes back to its queue without counting a crash.
public final class Worker: Service {
    public let configuration: WorkerConfiguration
    let registry: JobRegistry
    let logger: Logger
    let broker: Broker
    /// Tasks whose job is running (bounded by the concurrency).
    private let executing = Locked(0)
    /// Tasks claimed whose final report the API has not accepted yet (running ones included):
    /// a finished job frees its slot at once, while its lease waits for the report.
    private let unfinished = Locked(0)
    private let slotFreed = WakeSignal()
    /// Leases this process holds: token → released (given back at shutdown; do not report).
    let held = Locked<[String: Bool]>([:])
    /// Held leases whose final report is on its way: the API ends such a lease when it applies
    /// the report, so a renewal finding it gone is expected, not a loss.
    let reporting = Locked<Set<String>>([])
    let upkeepStop = WakeSignal()
    let stopping = Locked(false)

    public init(configuration: WorkerConfiguration, registry: JobRegistry, logger: Logger) {
        self.configuration = configuration
        self.registry = registry
        self.logger = logger
        broker = Broker(redis: RedisClient(url: configuration.redisURL, name: "redis-worker"))
    }

    /// Tasks running now.
    public var activeTasks: Int { executing.current }

    var leaseMilliseconds: Int { milliseconds(configuration.lease) }

    public func run() async throws {
        try await requireSupportedRedis()
        let reporter = Reporter(
            apiURL: configuration.apiURL, token: configuration.workerToken, batchSize: configuration.reportBatchSize,
            http: HTTPClient(concurrency: 1, name: "http-report"), logger: logger)
        let executor = Executor(registry: registry, workerName: configuration.name, logger: logger)
        logger.info(
            "worker ready",
            metadata: [
                "name": "\(configuration.name)", "queues": "\(configuration.queues.joined(separator: ","))",
                "concurrency": "\(configuration.concurrency)", "tasks": "\(registry.names.joined(separator: ","))",
            ])
        async let reporting: Void = reporter.run()
        async let upkeep: Void = keepLeasesAlive()
        await recoverPreviousRun()
        await withDiscardingTaskGroup { group in
            // A busy worker waits for a free slot up to a second at a time: shutdown wakes it,
            // so the grace period starts when the signal arrives.
            await withGracefulShutdownHandler {
                await consume(into: &group, executor: executor, reporter: reporter)
            } onGracefulShutdown: {
                self.slotFreed.notify()
            }
            await drainOrReturn(group: &group, reporter: reporter)
        }
        await releaseHeld(reason: "shutdown", reporter: reporter)
        reporter.finish()
        await reporting
        stopping.withLock { $0 = true }
        upkeepStop.notify()
        await upkeep
        logger.info("worker stopped")
    }

    /// Claims and starts tasks until shutdown.
    private func consume(
        into group: inout DiscardingTaskGroup, executor: Executor, reporter: Reporter
    ) async {
        let waiter = QueueWaiter(keys: RedisKeys.pollOrder(configuration.queues), redisURL: configuration.redisURL)
        var turn = 0
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let free = min(
                configuration.concurrency - executing.current, configuration.maxUnfinished - unfinished.current)
            if free <= 0 {
                await slotFreed.wait(timeout: .seconds(1))
                continue
            }
            var leases: [Lease]
            do {
                turn += 1
                leases = try await broker.claim(
                    worker: configuration.name, queueKeys: RedisKeys.pollOrder(rotated(configuration.queues, by: turn)),
                    limit: free, leaseMilliseconds: leaseMilliseconds)
                if leases.isEmpty {
                    leases = try await waiter.waitThenClaim(
                        broker: broker, worker: configuration.name, queueKeys: RedisKeys.pollOrder(configuration.queues),
                        limit: free, leaseMilliseconds: leaseMilliseconds)
                }
                failures = 0
            } catch {
                failures += 1
                if failures == 1 { logger.warning("cannot claim from Redis; retrying", metadata: ["error": "\(error)"]) }
                try? await Task.sleep(for: .milliseconds(min(2000, 50 << min(failures, 6))))
                continue
            }
            held.withLock { for lease in leases { $0[lease.token] = false } }
            // Claimed as shutdown began (the wait returned late): given back with the rest.
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            executing.withLock { $0 += leases.count }
            unfinished.withLock { $0 += leases.count }
            for lease in leases {
                group.addTask {
                    await self.process(lease, executor: executor, reporter: reporter)
                    self.unfinished.withLock { $0 -= 1 }
                    self.slotFreed.notify()
                }
            }
        }
    }

    /// After claiming stopped: lets running tasks finish within the grace period, then gives
    /// the rest back to their queues and cancels them.
    private func drainOrReturn(group: inout DiscardingTaskGroup, reporter: Reporter) async {
        logger.info(
            "worker stopping: waiting for running tasks and their reports",
            metadata: ["running": "\(executing.current)", "unreported": "\(unfinished.current)"])
        let deadline = ContinuousClock.now + configuration.shutdownGrace
        while unfinished.current > 0 && !Task.isCancelled && ContinuousClock.now < deadline {
            await slotFreed.wait(timeout: .milliseconds(200))
        }
        if unfinished.current > 0 {
            await releaseHeld(reason: Task.isCancelled ? "cancelled" : "grace period over", reporter: reporter)
            group.cancelAll()
        }
    }

    /// Decodes, runs and reports one leased message; the API ends its lease with the final report.
    func process(_ lease: Lease, executor: Executor, reporter: Reporter) async {
        var executionEnded = false
        func endExecution() {
            guard !executionEnded else { return }
            executionEnded = true
            executing.withLock { $0 -= 1 }
            slotFreed.notify()
        }
        defer { endExecution() }
        let task: TaskMessage
        do {
            task = try TaskMessage.decode(lease.raw)
        } catch {
            logger.error("malformed message moved to \(RedisKeys.deadLetters)", metadata: ["reason": "\(error.reason)"])
            await retrying("dead-letter") {
                try await self.broker.deadLetter(worker: self.configuration.name, lease: lease, reason: error.reason, at: Date())
            }
            _ = held.withLock { $0.removeValue(forKey: lease.token) }
            return
        }
        let queue = task.queue ?? lease.queueKey
        var final: TaskReport
        if lease.crashes >= configuration.maxCrashes {
            logger.error(
                "task crashed its worker too often; failing it", metadata: ["task_id": "\(task.id)", "crashes": "\(lease.crashes)"])
            final = executor.crashedReport(task, queue: queue, crashes: lease.crashes)
        } else {
            if let eta = task.eta.flatMap(CeleryTime.parse), eta > Date() {
                // Held under our (renewed) lease until due, as Celery holds ETA tasks.
                try? await Task.sleep(for: .milliseconds(Int64(eta.timeIntervalSinceNow * 1000)))
            }
            if let expires = task.expires.flatMap(CeleryTime.parse), expires < Date() {
                final = executor.expiredReport(task, queue: queue)
            } else {
                var started = executor.startedReport(task, queue: queue)
                started.lease = lease.token
                if !isReleased(lease.token) { reporter.post(started) }
                final = await executor.execute(task, queue: queue)
                // The start time travels with the result: its STARTED report may be folded
                // away (Reporter.folded) or be ignored as stale after a retried batch.
                final.startedAt = final.startedAt ?? started.timestamp
            }
        }
        final.lease = lease.token
        endExecution()  // the job is done: its slot may take the next task while the report goes out
        // Given back at shutdown, or cut short by cancellation (second SIGINT; its outcome is a
        // CancellationError, not the task's): another attempt will report; this one stays silent.
        guard !isReleased(lease.token) && !Task.isCancelled else { return }
        reporting.withLock { _ = $0.insert(lease.token) }
        defer { reporting.withLock { _ = $0.remove(lease.token) } }
        guard await reporter.deliver(final) else { return }  // reporter stopped: the lease is released
        _ = held.withLock { $0.removeValue(forKey: lease.token) }
    }

    /// Stops the worker with a clear error on a Redis older than the scripts need, rather than
    /// failing every claim. Waits for Redis like everything else; a server that will not say
    /// its version (`INFO` renamed away) is taken on trust.
    func requireSupportedRedis() async throws {
        let version = Locked<RedisServerVersion?>(nil)
        await retrying("reading the Redis version") {
            do {
                let found = try await self.broker.redis.serverVersion()
                version.withLock { $0 = found }
            } catch let error as RedisError where !error.isConnectionProblem {
                self.logger.warning("cannot read the Redis version; assuming it is supported", metadata: ["error": "\(error)"])
            }
        }
        if let found = version.current, !found.isSupported {
            throw WorkerError.unsupportedRedis(found)
        }
    }

    func isReleased(_ token: String) -> Bool { held.withLock { $0[token] ?? true } }

    /// Retries a Redis step until it works: losing an ack or a dead-letter move would re-run
    /// or lose track of a message.
    func retrying(_ what: String, _ body: @Sendable () async throws -> Void) async {
        var failures = 0
        while true {
            do {
                return try await body()
            } catch {
                failures += 1
                if failures == 1 || failures % 20 == 0 {
                    logger.warning("\(what) failed; retrying", metadata: ["error": "\(error)"])
                }
                // Cancelled (second SIGINT): give up; a lease left behind is reaped later.
                if Task.isCancelled { return }
                try? await Task.sleep(for: .milliseconds(min(2000, 50 << min(failures, 6))))
            }
        }
    }

    private func rotated(_ queues: [String], by turn: Int) -> [String] {
        guard queues.count > 1 else { return queues }
        let shift = turn % queues.count
        return Array(queues[shift...] + queues[..<shift])
    }
}
