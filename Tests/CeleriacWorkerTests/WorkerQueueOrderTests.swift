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

/// A real worker on a real Redis consumes as a Celery worker on kombu's Redis transport does:
/// priority 0 first whatever is queued behind it, and `-Q a,b` queues taking turns message by
/// message (kombu's round-robin queue cycle).
@Suite(.enabled(if: TestServices.enabled, "needs the test Redis (make test)"), .redisDatabase(17), .serialized)
struct WorkerQueueOrderTests {
    /// Records each run's task id; takes a little while, so a queue stays backed up.
    struct RecordingJob: Job {
        let name = "test.order"
        let runs: Locked<[String]>
        func run(_ invocation: JobInvocation) async throws -> JSONValue {
            try await Task.sleep(for: .milliseconds(20))
            runs.withLock { $0.append(invocation.taskID) }
            return .null
        }
    }

    let runs = Locked<[String]>([])
    let redis: RedisClient
    let url: RedisURL

    init() throws {
        url = try TestServices.redisURL
        redis = RedisClient(url: url)
    }

    func publish(_ id: String, queue: String, priority: Int) async throws {
        _ = try await TaskPublisher(broker: Broker(redis: redis)).publish(
            .init(task: "test.order", options: TaskOptions(queue: queue, priority: priority), id: id))
    }

    /// Runs a worker on `queues` (concurrency 1) until `count` tasks ran, or 10 s.
    func runWorker(queues: [String], until count: Int, meanwhile: @Sendable () async throws -> Void = {}) async throws {
        var configuration = WorkerConfiguration(
            name: TestServices.uniqueName("w"), queues: queues, concurrency: 1, redisURL: url,
            apiURL: "http://127.0.0.1:9", workerToken: nil)  // reports are not what this checks
        configuration.shutdownGrace = .zero
        var logger = Logger(label: "test-worker")
        logger.logLevel = .critical
        let worker = Worker(configuration: configuration, registry: JobRegistry([RecordingJob(runs: runs)]), logger: logger)
        let running = Task { try await worker.run() }
        defer { running.cancel() }
        try await meanwhile()
        for _ in 0..<1000 where runs.current.count < count { try await Task.sleep(for: .milliseconds(10)) }
    }

    @Test func priorityZeroOvertakesNineOnABackedUpQueue() async throws {
        let queue = TestServices.uniqueName("backed-up")
        for i in 0..<12 { try await publish("nine-\(i)", queue: queue, priority: 9) }
        let runs = self.runs
        try await runWorker(queues: [queue], until: 13) {
            // The worker is busy with the nines when the urgent task arrives.
            for _ in 0..<500 where runs.current.count < 3 { try await Task.sleep(for: .milliseconds(5)) }
            try await publish("zero", queue: queue, priority: 0)
        }
        let order = runs.current
        #expect(order.count == 13)
        // At most the task running and one already claimed run before it; nine others wait.
        let position = try #require(order.firstIndex(of: "zero"), "\(order)")
        #expect(position <= 5 && order.count - position - 1 >= 7, "\(order)")
        // The nines themselves run first in, first out.
        #expect(order.filter { $0 != "zero" } == (0..<12).map { "nine-\($0)" })
    }

    @Test func queuesTakeTurnsAndPriorityStepsComeFirstAcrossQueues() async throws {
        let a = TestServices.uniqueName("a")
        let b = TestServices.uniqueName("b")
        for i in 0..<4 { try await publish("a\(i)", queue: a, priority: 0) }
        for i in 0..<2 { try await publish("b\(i)", queue: b, priority: 0) }
        try await publish("b-low", queue: b, priority: 3)
        try await publish("a-low", queue: a, priority: 9)
        try await runWorker(queues: [a, b], until: 8)
        // Step 0 of both queues, alternating from the first named, then step 3, then step 9.
        #expect(runs.current == ["a0", "b0", "a1", "b1", "a2", "a3", "b-low", "a-low"])
    }
}
