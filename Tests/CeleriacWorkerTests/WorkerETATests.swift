// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacJobs
import CeleriacRedis
import CeleriacSystem
import Foundation
import Logging
import TestSupport
import Testing

@testable import CeleriacWorker

/// A task due later waits in Redis (`celeriac:scheduled`), never in a worker: published with
/// an ETA it is parked at once; arriving from a Celery client with one, the worker that claims
/// it parks it. A mover on the worker's clock queues it when due. The clock is moved, never
/// slept on.
@Suite(.enabled(if: TestServices.enabled, "needs the test Redis (make test)"), .redisDatabase(3), .serialized)
struct WorkerETATests {
    /// Records each run's task id.
    struct RecordingJob: Job {
        let name = "test.record"
        let runs: Locked<[String]>
        func run(_ invocation: JobInvocation) async throws -> JSONValue {
            runs.withLock { $0.append(invocation.taskID) }
            return .null
        }
    }

    struct Setup {
        let clock = ManualClock(now: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded()))
        let runs = Locked<[String]>([])
        let queue = TestServices.uniqueName("eta")
        let redis: RedisClient
        let url: RedisURL

        init() throws {
            url = try TestServices.redisURL
            redis = RedisClient(url: url)
        }

        func worker() -> Worker {
            var configuration = WorkerConfiguration(
                name: TestServices.uniqueName("w"), queues: [queue], concurrency: 2, redisURL: url,
                apiURL: "http://127.0.0.1:9", workerToken: nil)
            configuration.clock = clock
            var logger = Logger(label: "test-worker")
            logger.logLevel = .critical
            return Worker(configuration: configuration, registry: JobRegistry([RecordingJob(runs: runs)]), logger: logger)
        }

        func count(_ command: String, _ key: String) async throws -> Int {
            Int(try await redis.command(command, key).integer ?? -1)
        }

        /// Moves the clock in small steps (movers wake on it) until the job ran, or 10 s of
        /// real time.
        func advanceUntilRun() async throws {
            for _ in 0..<1000 where runs.current.isEmpty {
                clock.advance(by: 0.02)
                try await Task.sleep(for: .milliseconds(10))
            }
        }

        /// Waits (real time, bounded) for `condition`.
        func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
            for _ in 0..<500 {
                if try await condition() { return true }
                try await Task.sleep(for: .milliseconds(10))
            }
            return false
        }
    }

    @Test func aTaskPublishedWithAnETAIsParkedAndRunsWhenTheClockReachesIt() async throws {
        let setup = try Setup()
        let publisher = TaskPublisher(broker: Broker(redis: setup.redis), clock: setup.clock)
        let published = try await publisher.publish(
            .init(task: "test.record", options: TaskOptions(queue: setup.queue, eta: setup.clock.now.addingTimeInterval(3600))))
        #expect(published.outcome == .parked)
        #expect(try await setup.count("ZCARD", RedisKeys.scheduled) == 1)
        #expect(try await setup.count("LLEN", setup.queue) == 0)
        let running = Task { try await setup.worker().run() }
        defer { running.cancel() }
        try await setup.clock.waitForSleepers(1)
        setup.clock.advance(by: 3599)
        try await Task.sleep(for: .milliseconds(200))
        #expect(setup.runs.current.isEmpty, "ran before its ETA")
        #expect(try await setup.count("ZCARD", RedisKeys.scheduled) == 1)
        try await setup.advanceUntilRun()
        #expect(setup.runs.current == [published.id])
        #expect(try await setup.count("ZCARD", RedisKeys.scheduled) == 0)
    }

    /// A Celery client puts ETA tasks straight on the queue. The worker that claims one parks it
    /// and forgets it: stopped before it is due, it has nothing to lose or run twice; another
    /// worker runs it once when due.
    @Test func aCeleryClientsETATaskIsParkedNotHeldAndRunsOnceWhenDue() async throws {
        let setup = try Setup()
        let id = UUID().uuidString.lowercased()
        let new = TaskMessage.NewTask(
            id: id, task: "test.record", args: [], kwargs: [:],
            options: TaskOptions(queue: setup.queue, eta: setup.clock.now.addingTimeInterval(3600)), origin: "gen1@celery",
            replyTo: "r", deliveryTag: "t", sentAt: setup.clock.now)
        try await setup.redis.command([Array("LPUSH".utf8), Array(setup.queue.utf8), TaskMessage.envelope(new)])
        let first = setup.worker()
        let running = Task { try await first.run() }
        #expect(try await setup.eventually { try await setup.count("ZCARD", RedisKeys.scheduled) == 1 })
        #expect(try await setup.count("LLEN", setup.queue) == 0)
        #expect(try await setup.count("SCARD", RedisKeys.workerLeases(first.configuration.name)) == 0)
        running.cancel()
        _ = try? await running.value
        setup.clock.advance(by: 7200)
        try await Task.sleep(for: .milliseconds(200))
        #expect(setup.runs.current.isEmpty, "ran with no worker left")
        #expect(try await setup.count("ZCARD", RedisKeys.scheduled) == 1)
        let second = Task { try await setup.worker().run() }
        defer { second.cancel() }
        try await setup.advanceUntilRun()
        try await Task.sleep(for: .milliseconds(200))
        #expect(setup.runs.current == [id])
    }
}
