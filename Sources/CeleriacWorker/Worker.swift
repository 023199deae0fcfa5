// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacJobs
import CeleriacCore
import CeleriacHTTP
import CeleriacRedis
import CeleriacSystem
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
    var clock: any WallClock { configuration.clock }
    /// Tasks whose job is running (bounded by the concurrency).
    let executing = Locked(0)
    /// Tasks claimed whose final report the API has not accepted yet (running ones included):
    /// a finished job frees its slot at once, while its lease waits for the report.
    let unfinished = Locked(0)
    let slotFreed = WakeSignal()
    let held = HeldLeases()
    /// Held leases whose final report is on its way (see ``LeaseRenewer``).
    let reporting = Locked<Set<String>>([])
    /// Jobs running now, for revokes with `terminate`.
    let running = RunningJobs()
    /// Revoked task ids (this worker's copy of `celeriac:revoked`).
    let revoked = RevokedTasks()

    public init(configuration: WorkerConfiguration, registry: JobRegistry, logger: Logger) {
        self.configuration = configuration
        self.registry = registry
        self.logger = logger
        broker = Broker(redis: RedisClient(url: configuration.redisURL, name: "redis-worker"))
    }

    var leaseMilliseconds: Int { Int(configuration.lease.wholeMilliseconds) }

    public func run() async throws {
        try await requireSupportedRedis()
        let reporter = Reporter(
            apiURL: configuration.apiURL, token: configuration.workerToken, batchSize: configuration.reportBatchSize,
            http: HTTPClient(concurrency: 1, name: "http-report"), clock: clock, logger: logger)
        let executor = Executor(
            registry: registry, secrets: configuration.secrets, workerName: configuration.name, clock: clock, logger: logger, running: running,
            publisher: TaskPublisher(broker: broker, clock: clock), ledgers: TaskLedgers(redis: broker.redis))
        let revokes = RevokeListener(
            revoked: revoked, running: running, revocations: Revocations(redis: broker.redis),
            redisURL: configuration.redisURL, worker: configuration.name, clock: clock, logger: logger)
        // Before the first claim: a task revoked while no worker ran must not slip through.
        await retrying("load revoked tasks") { try await revokes.load() }
        // The API refuses names no worker announced (DESIGN §6): announce ours first.
        await retrying("announce its tasks") {
            try await TaskRegistry(redis: self.broker.redis).announce(self.registry.specs, at: self.clock.now)
        }
        revokes.start()
        logger.info(
            "worker ready",
            metadata: [
                "name": "\(configuration.name)", "queues": "\(configuration.queues.joined(separator: ","))",
                "concurrency": "\(configuration.concurrency)", "tasks": "\(registry.names.joined(separator: ","))",
            ])
        let duties = makeDuties()
        let mover = Task { await ScheduledMover(broker: broker, clock: clock, logger: logger).run() }
        async let reporting: Void = reporter.run()
        async let upkeep: Void = withDiscardingTaskGroup { group in
            for duty in duties { group.addTask { await duty.run() } }
        }
        await recoverPreviousRun()
        // Like a Celery worker's queue_bind at start: its queues are known before any message.
        await retrying("declaring its queues") { try await self.broker.declare(queues: self.configuration.queues) }
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
        // Upkeep runs through the grace period, so leases of tasks still running or
        // reporting stay alive until here.
        for duty in duties { duty.stop() }
        mover.cancel()
        await mover.value
        revokes.stop()
        await upkeep
        logger.info("worker stopped")
    }

    /// Heartbeat, lease renewal and reaping, one loop each.
    private func makeDuties() -> [DutyLoop] {
        let duties: [any WorkerDuty] = [
            Heartbeat(
                broker: broker, worker: configuration.name, interval: configuration.heartbeatInterval,
                taskNames: registry.names, clock: clock),
            LeaseRenewer(
                broker: broker, worker: configuration.name, interval: configuration.renewInterval,
                leaseMilliseconds: leaseMilliseconds, held: held, reporting: reporting, logger: logger),
            LeaseReaper(
                broker: broker, interval: configuration.reapInterval,
                deadAfterMilliseconds: Int(configuration.deadAfter.wholeMilliseconds), logger: logger),
        ]
        return duties.map { DutyLoop($0, clock: clock, logger: logger) }
    }

    /// Claims and starts tasks until shutdown, taking the queues in kombu's order (``QueueCycle``).
    private func consume(into group: inout DiscardingTaskGroup, executor: Executor, reporter: Reporter) async {
        let waiter = QueueWaiter(keys: RedisKeys.pollOrder(configuration.queues), redisURL: configuration.redisURL)
        var cycle = QueueCycle(configuration.queues)
        let queueCount = configuration.queues.count
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let free = min(
                configuration.concurrency - executing.current, configuration.maxUnfinished - unfinished.current)
            if free <= 0 {
                await slotFreed.wait(timeout: .seconds(1), clock: clock)
                continue
            }
            var leases: [Lease]
            do {
                leases = try await broker.claim(
                    worker: configuration.name, queueKeys: cycle.pollOrder, queueCount: queueCount, limit: free,
                    leaseMilliseconds: leaseMilliseconds)
                if leases.isEmpty {
                    leases = try await waiter.waitThenClaim(
                        broker: broker, worker: configuration.name, queueKeys: cycle.pollOrder, queueCount: queueCount,
                        limit: free, leaseMilliseconds: leaseMilliseconds)
                }
                // The script rotated its copy of the cycle after each message; so does ours.
                for lease in leases { cycle.rotate(afterKey: lease.queueKey) }
                failures = 0
            } catch {
                failures += 1
                if failures == 1 { logger.warning("cannot claim from Redis; retrying", metadata: ["error": "\(error)"]) }
                try? await clock.sleep(for: Backoff.redisStep.delay(afterFailures: failures))
                continue
            }
            held.add(leases.map(\.token))
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
        let deadline = clock.now.addingTimeInterval(configuration.shutdownGrace.timeInterval)
        while unfinished.current > 0 && !Task.isCancelled && clock.now < deadline {
            await slotFreed.wait(timeout: .milliseconds(200), clock: clock)
        }
        if unfinished.current > 0 {
            await releaseHeld(reason: Task.isCancelled ? "cancelled" : "grace period over", reporter: reporter)
            group.cancelAll()
        }
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
                try? await clock.sleep(for: Backoff.redisStep.delay(afterFailures: failures))
            }
        }
    }
}
