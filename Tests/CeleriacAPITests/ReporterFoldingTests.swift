// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import Testing

@testable import CeleriacWorker

@Suite struct ReporterFoldingTests {
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
}
