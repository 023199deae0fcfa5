// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTP
import Logging
import Testing

@testable import CeleriacWorker

@Suite struct ReporterTests {
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

    /// A task cancelled at shutdown may finish after the reporter has stopped: its report must
    /// be answered ("not delivered") at once, or the worker waits for it forever.
    @Test(arguments: [true, false])
    func aReportQueuedAfterTheReporterStoppedIsAnsweredAtOnce(cancelled: Bool) async throws {
        let reporter = Reporter(
            apiURL: "http://127.0.0.1:9", token: nil, batchSize: 10, http: HTTPClient(concurrency: 1),
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
}
