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

/// A task with a future ETA waits under its lease on the worker's clock: it runs when the
/// clock reaches the ETA, and a worker stopped while it waits never runs it (its lease goes
/// back to the queue; the next attempt runs it once). The clock is moved, never slept on.
@Suite(.enabled(if: TestServices.enabled, "needs the test Redis (make test)"), .redisDatabase(3))
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
        let worker: Worker

        init() throws {
            let url = try TestServices.redisURL
            redis = RedisClient(url: url)
            var configuration = WorkerConfiguration(
                name: TestServices.uniqueName("w"), queues: [queue], concurrency: 2, redisURL: url,
                apiURL: "http://127.0.0.1:9", workerToken: nil)
            configuration.clock = clock
            var logger = Logger(label: "test-worker")
            logger.logLevel = .critical
            worker = Worker(configuration: configuration, registry: JobRegistry([RecordingJob(runs: runs)]), logger: logger)
        }

        /// Publishes a task due in an hour by the clock; returns its id.
        func publishDueInAnHour() async throws -> String {
            let publisher = TaskPublisher(broker: Broker(redis: redis), clock: clock)
            return try await publisher.publish(
                .init(task: "test.record", options: TaskOptions(queue: queue, eta: clock.now.addingTimeInterval(3600)))).id
        }

        /// Waits (real time, bounded) until the worker holds a lease on the task.
        func waitUntilLeased() async throws {
            for _ in 0..<500 {
                if try await redis.command("SCARD", RedisKeys.workerLeases(worker.configuration.name)).integer == 1 { return }
                try await Task.sleep(for: .milliseconds(10))
            }
            Issue.record("the worker never leased the task")
        }
    }

    @Test func aTaskRunsWhenTheClockReachesItsETA() async throws {
        let setup = try Setup()
        let id = try await setup.publishDueInAnHour()
        let running = Task { try await setup.worker.run() }
        defer { running.cancel() }
        try await setup.waitUntilLeased()
        try await Task.sleep(for: .milliseconds(100))
        #expect(setup.runs.current.isEmpty, "ran before its ETA")
        setup.clock.advance(by: 3599)
        try await Task.sleep(for: .milliseconds(100))
        #expect(setup.runs.current.isEmpty, "ran a second before its ETA")
        setup.clock.advance(by: 1)
        for _ in 0..<500 where setup.runs.current.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        #expect(setup.runs.current == [id])
    }

    @Test func aTaskCancelledDuringItsETAWaitDoesNotRunAndGoesBackToItsQueue() async throws {
        let setup = try Setup()
        _ = try await setup.publishDueInAnHour()
        let running = Task { try await setup.worker.run() }
        try await setup.waitUntilLeased()
        running.cancel()
        _ = try? await running.value
        // Past the ETA now: a job that had swallowed the cancellation would run here.
        setup.clock.advance(by: 7200)
        try await Task.sleep(for: .milliseconds(200))
        #expect(setup.runs.current.isEmpty)
        #expect(try await setup.redis.command("LLEN", setup.queue).integer == 1)
        #expect(try await setup.redis.command("SCARD", RedisKeys.workerLeases(setup.worker.configuration.name)).integer == 0)
    }
}
