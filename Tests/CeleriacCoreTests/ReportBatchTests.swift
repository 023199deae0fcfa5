// Celeriac — a Celery-compatible job service in Swift.

import Foundation
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
        #expect(throws: DomainError.self) { try ReportBatch.decode(Array("{".utf8)) }
        do {
            _ = try ReportBatch.decode(Array(#"{"reports": [{"id": "a", "state": "NOPE", "task": "t", "worker": "w", "timestamp": 1}]}"#.utf8))
            Issue.record("accepted a bad state")
        } catch {
            #expect(error.code == .invalid && error.fields.first?.pointer == "/reports/0/state")
        }
    }

    /// Every field is checked against what openapi.yaml says of it, and a value that would not
    /// fit the history table or Celery's time format is refused here: a timestamp of 1e300
    /// once trapped converting it to an integer, taking the API down.
    @Test(arguments: [
        (#""timestamp": 1e300"#, "timestamp"), (#""timestamp": -1"#, "timestamp"), (#""timestamp": "1""#, "timestamp"),
        (#""timestamp": 253402300800"#, "timestamp"), (#""started_at": 1e300"#, "started_at"),
        (#""started_at": "x""#, "started_at"), (#""retries": -1"#, "retries"), (#""retries": "2""#, "retries"),
        (#""retries": 1.5"#, "retries"), (#""pid": "7""#, "pid"), (#""queue": 5"#, "queue"), (#""args": {}"#, "args"),
        (#""kwargs": []"#, "kwargs"), (#""lease": 42"#, "lease"), (#""error": "boom""#, "error"),
        (#""error": {"type": "E", "message": "m", "traceback": {}}"#, "error"), (#""pid": -1"#, "pid"),
        (#""error": {"type": "E", "message": "m", "module": null}"#, "error"),
        (#""retries": 1e20"#, "retries"), (#""pid": 2147483648"#, "pid"),
        (#""id": "\#(String(repeating: "é", count: 256))""#, "id"), (#""id": """#, "id"),
    ])
    func fieldsOutsideTheContractAreRefused(field: String, pointer: String) {
        // The field under test comes last, so it replaces the valid value before it.
        let text = #"{"reports": [{"id": "a", "state": "SUCCESS", "task": "t", "worker": "w", "timestamp": 1, "retries": 0, \#(field)}]}"#
        do {
            _ = try ReportBatch.decode(Array(text.utf8))
            Issue.record("accepted \(field)")
        } catch {
            #expect(error.code == .invalid && error.fields.first?.pointer == "/reports/0/\(pointer)", "\(field)")
        }
    }

    @Test func retriesAreRequiredAndIdsAreCountedInCharacters() throws {
        #expect(throws: DomainError.self) {
            try ReportBatch.decode(Array(#"{"reports": [{"id": "a", "state": "SUCCESS", "task": "t", "worker": "w", "timestamp": 1}]}"#.utf8))
        }
        // 255 two-byte characters: 510 bytes, within the 255 characters of PostgreSQL's task_id.
        let id = String(repeating: "é", count: 255)
        let text = #"{"reports": [{"id": "\#(id)", "state": "SUCCESS", "task": "t", "worker": "w", "timestamp": 253402300799, "retries": 3.0, "pid": null}]}"#
        let report = try #require(try ReportBatch.decode(Array(text.utf8)).reports.first)
        #expect(report.id == id && report.retries == 3 && report.pid == nil && report.timestamp == 253_402_300_799)
    }

    @Test func timesOutsidePythonsRangeAreClampedNotTrapped() {
        #expect(CeleryTime.format(Date(timeIntervalSince1970: 1e300)) == "9999-12-31T23:59:59.000000+00:00")
        #expect(CeleryTime.format(Date(timeIntervalSince1970: -1e300)) == "0001-01-01T00:00:00.000000+00:00")
        #expect(CeleryTime.format(Date(timeIntervalSince1970: .nan)) == "1970-01-01T00:00:00.000000+00:00")
        #expect(TaskRecord.seconds(1e300) == "253402300799.000000" && TaskRecord.seconds(-5) == "0.000000")
    }

    /// `"result": null` is no result (the nil literal once turned into JSON null here).
    @Test func aNullResultIsNoResult() throws {
        let batch = try ReportBatch.decode(Array(#"{"reports": [{"id": "a", "state": "STARTED", "task": "t", "worker": "w", "timestamp": 1, "retries": 0, "result": null}]}"#.utf8))
        #expect(batch.reports[0].result == nil)
    }
}
