// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacJobs
import CeleriacCore
import CeleriacHTTP
import CeleriacRedis
import Foundation
public import Logging
public import ServiceLifecycle

/// A worker process: claims messages from its queues, runs them with bounded concurrency,
/// reports each state change through the API and acknowledges only after the final report
/// was accepted.
///
/// On graceful shutdown (SIGTERM/SIGINT) it stops claiming, lets running tasks finish and
/// flushes its reports.
public final class Worker: Service {
    public let configuration: WorkerConfiguration
    let registry: JobRegistry
    let logger: Logger
    let broker: Broker
    private let running = Locked(0)
    private let slotFreed = WakeSignal()

    public init(configuration: WorkerConfiguration, registry: JobRegistry, logger: Logger) {
        self.configuration = configuration
        self.registry = registry
        self.logger = logger
        broker = Broker(redis: RedisClient(url: configuration.redisURL, name: "redis-worker"))
    }

    /// Tasks running now.
    public var activeTasks: Int { running.current }

    public func run() async throws {
        let reporter = Reporter(
            apiURL: configuration.apiURL, token: configuration.workerToken, batchSize: configuration.reportBatchSize,
            http: HTTPClient(concurrency: 1, name: "http-report"), logger: logger)
        let executor = Executor(registry: registry, workerName: configuration.name, logger: logger)
        let waiter = QueueWaiter(keys: RedisKeys.pollOrder(configuration.queues), redisURL: configuration.redisURL)
        logger.info(
            "worker ready",
            metadata: [
                "name": "\(configuration.name)", "queues": "\(configuration.queues.joined(separator: ","))",
                "concurrency": "\(configuration.concurrency)", "tasks": "\(registry.names.joined(separator: ","))",
            ])
        async let reporting: Void = reporter.run()
        await withDiscardingTaskGroup { group in
            await recoverClaims()
            var turn = 0
            var failures = 0
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                let free = configuration.concurrency - running.current
                if free <= 0 {
                    await slotFreed.wait(timeout: .seconds(1))
                    continue
                }
                let claimed: [ClaimedMessage]
                do {
                    turn += 1
                    claimed = try await broker.claim(
                        worker: configuration.name, queueKeys: RedisKeys.pollOrder(rotated(configuration.queues, by: turn)),
                        limit: free)
                    failures = 0
                } catch {
                    failures += 1
                    if failures == 1 { logger.warning("cannot claim from Redis; retrying", metadata: ["error": "\(error)"]) }
                    try? await Task.sleep(for: .milliseconds(min(2000, 50 << min(failures, 6))))
                    continue
                }
                if claimed.isEmpty {
                    await waiter.wait()
                    continue
                }
                running.withLock { $0 += claimed.count }
                for message in claimed {
                    group.addTask {
                        await self.process(message, executor: executor, reporter: reporter)
                        self.running.withLock { $0 -= 1 }
                        self.slotFreed.notify()
                    }
                }
            }
            logger.info("worker stopping: waiting for running tasks", metadata: ["running": "\(running.current)"])
        }
        reporter.finish()
        await reporting
        logger.info("worker stopped")
    }

    /// Decodes, runs, reports and acknowledges one message.
    func process(_ message: ClaimedMessage, executor: Executor, reporter: Reporter) async {
        let task: TaskMessage
        do {
            task = try TaskMessage.decode(message.raw)
        } catch {
            logger.error("malformed message moved to \(RedisKeys.deadLetters)", metadata: ["reason": "\(error.reason)"])
            await retrying("dead-letter") {
                try await self.broker.deadLetter(worker: self.configuration.name, raw: message.raw, reason: error.reason, at: Date())
            }
            return
        }
        let queue = task.queue ?? message.queueKey
        if let eta = task.eta.flatMap(CeleryTime.parse), eta > Date() {
            // Celery semantics: held by the worker (still in our claim list) until due.
            try? await Task.sleep(for: .milliseconds(Int64(eta.timeIntervalSinceNow * 1000)))
        }
        let final: TaskReport
        if let expires = task.expires.flatMap(CeleryTime.parse), expires < Date() {
            var revoked = executor.startedReport(task, queue: queue)
            revoked.state = .revoked
            revoked.error = TaskError(type: "TaskRevokedError", module: "celery.exceptions", message: "expired")
            final = revoked
        } else {
            reporter.post(executor.startedReport(task, queue: queue))
            final = await executor.execute(task, queue: queue)
        }
        await reporter.deliver(final)
        await retrying("acknowledge") {
            try await self.broker.acknowledge(worker: self.configuration.name, raw: message.raw)
        }
    }

    /// Puts back what an earlier run of this worker name had claimed and not acknowledged.
    func recoverClaims() async {
        await retrying("recover claims") {
            for raw in try await self.broker.claimed(worker: self.configuration.name) {
                let key: String
                if let message = try? TaskMessage.decode(raw) {
                    key = RedisKeys.queue(message.queue ?? EnqueueRequest.defaultQueue, priority: message.priority)
                } else {
                    try await self.broker.deadLetter(worker: self.configuration.name, raw: raw, reason: "unreadable claim", at: Date())
                    continue
                }
                try await self.broker.requeue(worker: self.configuration.name, raw: raw, queueKey: key)
                self.logger.info("returned an unfinished message to its queue", metadata: ["queue": "\(key)"])
            }
        }
    }

    /// Retries a Redis step until it works: losing an ack or a dead-letter move would re-run
    /// or lose track of a message.
    private func retrying(_ what: String, _ body: @Sendable () async throws -> Void) async {
        var failures = 0
        while true {
            do {
                return try await body()
            } catch {
                failures += 1
                if failures == 1 || failures % 20 == 0 {
                    logger.warning("\(what) failed; retrying", metadata: ["error": "\(error)"])
                }
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
