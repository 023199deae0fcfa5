// Celeriac — a Celery-compatible job service in Swift.

import Foundation
import Testing

@testable import CeleriacCore

@Suite struct ResultMetaTests {
    @Test(arguments: ["result.SUCCESS.json", "result.FAILURE.json", "result.STARTED.json"])
    func reencodesCeleryResultsByteForByte(_ file: String) throws {
        let raw = try FixtureFiles.bytes(file)
        let meta = try #require(ResultMeta.decode(raw))
        #expect(meta.encoded() == String(decoding: raw, as: UTF8.self))
    }

    @Test func successReportBecomesCeleryMeta() throws {
        let report = TaskReport(
            id: "ff0ebe48-136b-492a-85d2-47094fd99314", state: .success, task: "capture.add", queue: "celery",
            args: [2, 3], kwargs: [:], worker: "w1@vm", pid: 1, timestamp: 1_795_482_525.792897, result: 5)
        #expect(report.resultMeta().encoded() == String(decoding: try FixtureFiles.bytes("result.SUCCESS.json"), as: UTF8.self))
    }

    @Test func failureReportUsesCeleryExceptionShape() throws {
        let report = TaskReport(
            id: "t", state: .failure, task: "x", queue: nil, args: nil, kwargs: nil, worker: "w", pid: 1,
            timestamp: 0, error: TaskError(type: "NotRegistered", module: "celery.exceptions", message: "x", traceback: "tb"))
        let meta = try JSONValue.parse(report.resultMeta().encoded())
        #expect(meta["result"] == .object(["exc_type": "NotRegistered", "exc_message": .array(["x"]), "exc_module": "celery.exceptions"]))
        #expect(meta["traceback"] == "tb")
        #expect(meta["date_done"] == "1970-01-01T00:00:00.000000+00:00")
    }

    @Test func startedMetaCarriesPidAndHostname() throws {
        let report = TaskReport(
            id: "t", state: .started, task: "x", queue: nil, args: nil, kwargs: nil, worker: "w1@vm", pid: 1854, timestamp: 0)
        let meta = try JSONValue.parse(report.resultMeta().encoded())
        #expect(meta["result"] == .object(["pid": 1854, "hostname": "w1@vm"]))
        #expect(meta["date_done"] == .null)
    }
}

