// Celeriac — a Celery-compatible job service in Swift.

import Testing

@testable import CeleriacCore

@Suite struct ReportBatchTests {
    @Test func roundTripsEveryField() throws {
        let full = TaskReport(
            id: "t1", state: .failure, task: "celeriac.fail", queue: "q", args: [1, "x"], kwargs: ["k": [true]],
            worker: "w@h", pid: 7, timestamp: 1_764_000_000.25, result: nil,
            error: TaskError(type: "RuntimeError", module: "builtins", message: "boom", traceback: "tb"), retries: 2,
            lease: "42")
        var folded = full
        folded.state = .success
        folded.startedAt = 1_764_000_000.125
        let bare = TaskReport(
            id: "t2", state: .success, task: "celeriac.echo", queue: nil, args: nil, kwargs: nil, worker: "w@h", pid: nil,
            timestamp: 1_764_000_000, result: .object(["a": .null]))
        let batch = try ReportBatch.decode(ReportBatch(reports: [full, folded, bare]).encoded())
        #expect(batch.reports == [full, folded, bare])
    }

    @Test func badBatchesPointAtTheField() {
        #expect(throws: Problem.self) { try ReportBatch.decode(Array("{".utf8)) }
        do {
            _ = try ReportBatch.decode(Array(#"{"reports": [{"id": "a", "state": "NOPE", "task": "t", "worker": "w", "timestamp": 1}]}"#.utf8))
            Issue.record("accepted a bad state")
        } catch {
            #expect(error.status == 422 && error.errors.first?.pointer == "/reports/0/state")
        }
    }
}
