// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import Foundation
import CeleriacHTTP
import CeleriacSystem
import Logging
import TestSupport
import Testing

@testable import CeleriacWorker

@Suite(.redisDatabase(10)) struct ReporterTests {
    func report(_ id: String, _ state: TaskState, lease: String = "1", at timestamp: Double) -> TaskReport {
        TaskReport(
            id: id, state: state, task: "celeriac.echo", queue: "q", args: [], kwargs: [:], worker: "w", pid: 1,
            timestamp: timestamp, lease: lease, startedAt: state.isFinal ? 1 : nil)
    }

    @Test func aStartedReportIsDroppedOnlyWhenItsAttemptsFinalReportFollowsInTheBatch() {
        let batch = [
            report("a", .started, at: 1), report("b", .started, at: 1), report("c", .started, lease: "old", at: 1),
            report("a", .success, at: 2), report("c", .success, lease: "new", at: 2),
        ]
        #expect(Reporter.folded(batch) == [batch[1], batch[2], batch[3], batch[4]])
        // A STARTED after the final report of its attempt stays (the API ranks it stale).
        #expect(Reporter.folded([batch[3], batch[0]]) == [batch[3], batch[0]])
        #expect(Reporter.folded([batch[0], batch[1]]) == [batch[0], batch[1]])
    }

    @Test func onlyTheLastProgressOfAnAttemptIsSentAndARetryFoldsItsStarted() {
        let batch = [
            report("a", .started, at: 1), report("a", .progress, at: 2), report("a", .progress, at: 3),
            report("a", .retry, at: 4), report("b", .progress, at: 4), report("a", .progress, lease: "2", at: 5),
        ]
        #expect(Reporter.folded(batch) == [batch[2], batch[3], batch[4], batch[5]])
    }

    /// A task cancelled at shutdown may finish after the reporter has stopped: its report must
    /// be answered ("not delivered") at once, or the worker waits for it forever.
    @Test(arguments: [true, false])
    func aReportQueuedAfterTheReporterStoppedIsAnsweredAtOnce(cancelled: Bool) async throws {
        let reporter = Reporter(
            apiURL: "http://127.0.0.1:9", token: nil, batchSize: 10, http: HTTPClient(concurrency: 1), clock: SystemClock(),
            logger: Logger(label: "test"))
        let sender = Task { await reporter.run() }
        if cancelled { sender.cancel() } else { reporter.finish() }
        await sender.value
        let answer = Locked<Bool?>(nil)
        // Unstructured, so a deliver that never returns fails the test instead of hanging it.
        Task {
            let accepted = await reporter.deliver(report("a", .success, at: 1))
            answer.withLock { $0 = accepted }
        }
        let deadline = ContinuousClock.now + .seconds(5)
        while answer.current == nil && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(answer.current == false)
    }
    @Test func theRefusedReportIsReadFromTheProblemsPointer() {
        func body(_ pointer: String) -> [UInt8] {
            Array(#"{"status": 422, "errors": [{"pointer": "\#(pointer)", "detail": "x"}]}"#.utf8)
        }
        #expect(Reporter.refusedIndex(in: body("/reports/2/retries"), count: 3) == 2)
        #expect(Reporter.refusedIndex(in: body("/reports/3/id"), count: 3) == nil)
        #expect(Reporter.refusedIndex(in: body("/reports"), count: 3) == nil)
        #expect(Reporter.refusedIndex(in: body("/other/1/id"), count: 3) == nil)
        #expect(Reporter.refusedIndex(in: Array("not json".utf8), count: 3) == nil)
    }

    /// One report the API refuses (here an id too long for the history table) used to take
    /// every other report of its batch down with it.
    @Test(.enabled(if: TestServices.enabled, "needs the test Redis and PostgreSQL (make test)"))
    func aRefusedReportDoesNotTakeItsBatchWithIt() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            let first = try await stack.enqueue(#"{"task": "celeriac.echo", "queue": "\#(stack.queue)"}"#)
            let last = try await stack.enqueue(#"{"task": "celeriac.echo", "queue": "\#(stack.queue)"}"#)
            let reporter = Reporter(
                apiURL: stack.baseURL, token: stack.workerToken, batchSize: 10, http: HTTPClient(concurrency: 1), clock: SystemClock(),
                logger: Logger(label: "test"))
            let now = Date().timeIntervalSince1970
            for id in [first, String(repeating: "x", count: 300), last] {
                reporter.post(report(id, .success, at: now).withoutLease)
            }
            reporter.finish()
            await reporter.run()
            for id in [first, last] {
                #expect(try stack.json(try await stack.request("GET", "/tasks/\(id)"))["state"] == "SUCCESS")
            }
        }
    }

    /// Reports carry the task's arguments: a batch of tasks with large ones exceeds the API's
    /// body limit (413). It is halved until it fits, and a report too large alone goes
    /// without its arguments, instead of the tasks' states being dropped.
    @Test(.enabled(if: TestServices.enabled, "needs the test Redis and PostgreSQL (make test)"))
    func aBatchOverTheBodyLimitIsSplitNotDropped() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            var ids: [String] = []
            for _ in 0..<3 { ids.append(try await stack.enqueue(#"{"task": "celeriac.echo", "queue": "\#(stack.queue)"}"#)) }
            let reporter = Reporter(
                apiURL: stack.baseURL, token: stack.workerToken, batchSize: 10, http: HTTPClient(concurrency: 1), clock: SystemClock(),
                logger: Logger(label: "test"))
            let now = Date().timeIntervalSince1970
            for (index, id) in ids.enumerated() {
                var big = report(id, .success, at: now).withoutLease
                // 600 KiB each (two exceed 1 MiB together); the last alone is over 1 MiB.
                big.kwargs = ["blob": .string(String(repeating: "x", count: index == 2 ? 1_200_000 : 600_000))]
                reporter.post(big)
            }
            reporter.finish()
            await reporter.run()
            for id in ids {
                #expect(try stack.json(try await stack.request("GET", "/tasks/\(id)"))["state"] == "SUCCESS")
            }
        }
    }
}

extension TaskReport {
    fileprivate var withoutLease: TaskReport {
        var report = self
        report.lease = nil
        return report
    }
}
