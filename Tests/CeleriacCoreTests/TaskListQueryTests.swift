// Celeriac — a Celery-compatible job service in Swift.

import Foundation
import Testing

@testable import CeleriacCore

/// `GET /tasks`'s query string: what is read, and each way it is refused (one field error per
/// parameter, naming it).
@Suite struct TaskListQueryTests {
    @Test func defaultsAndEveryParameter() throws {
        #expect(try TaskListQuery(query: nil) == TaskListQuery())
        #expect(try TaskListQuery(query: "").limit == TaskListQuery.defaultLimit)
        let cursor = TaskListCursor(createdMicros: 1_800_000_000_123_456, id: 42)
        let query = try TaskListQuery(query:
            "state=FAILURE&task=backup.postgres&queue=backups&worker=celeriac%40host+1&since=2026-12-04T09:00:00%2B09:00"
            + "&until=2026-12-05T00:00:00Z&limit=500&cursor=\(cursor.encoded)")
        #expect(query.state == .failure && query.task == "backup.postgres" && query.queue == "backups")
        #expect(query.worker == "celeriac@host 1" && query.limit == 500 && query.cursor == cursor)
        #expect(query.since == Date(timeIntervalSince1970: 1_796_342_400))
        #expect(query.until == Date(timeIntervalSince1970: 1_796_428_800))
    }

    @Test(arguments: [
        ("state=DONE", "state"), ("state=success", "state"), ("task=", "task"), ("queue=a%20b", "queue"),
        ("worker=", "worker"), ("since=2026-12-04T09:00:00", "since"), ("until=yesterday", "until"),
        ("limit=0", "limit"), ("limit=501", "limit"), ("limit=-1", "limit"), ("limit=1e2", "limit"),
        ("limit=99999999999999999999", "limit"), ("cursor=abc", "cursor"), ("cursor=%FF", "cursor"), ("cursor=1.2.3", "cursor"),
        ("status=SUCCESS", "status"), ("limit=5&limit=6", "limit"),
    ])
    func badParametersAreNamed(_ query: String, _ parameter: String) {
        #expect {
            try TaskListQuery(query: query)
        } throws: { error in
            guard let error = error as? DomainError else { return false }
            return error.code == .invalid && error.fields.map(\.parameter) == [parameter] && error.fields[0].pointer.isEmpty
        }
    }

    @Test func everyBadParameterIsListedAtOnce() {
        #expect {
            try TaskListQuery(query: "state=NOPE&limit=0&cursor=x")
        } throws: { error in
            (error as? DomainError)?.fields.compactMap(\.parameter) == ["state", "limit", "cursor"]
        }
    }

    @Test func cursorsRoundTripAndAnythingElseIsRefused() {
        for cursor in [
            TaskListCursor(createdMicros: 0, id: 0), TaskListCursor(createdMicros: -62_135_596_800_000_000, id: 1),
            TaskListCursor(createdMicros: 1_800_000_000_000_001, id: Int64(Int32.max)),
        ] {
            #expect(TaskListCursor(encoded: cursor.encoded) == cursor)
        }
        // Any position of the right shape is one: beyond the bounds no row lies.
        #expect(TaskListCursor(encoded: "999999999999999999.9999999999") == TaskListCursor(
            createdMicros: 253_402_300_799_999_999, id: Int64(Int32.max)))
        #expect(TaskListCursor(encoded: "-999999999999999999.0")?.createdMicros == -62_135_596_800_000_000)
        #expect(TaskListCursor(encoded: "007.01") == TaskListCursor(createdMicros: 7, id: 1))
        let refused = [
            "", ".", "1.", ".1", "1.2.3", "1.-2", "+1.2", "1 .2", "1.2x", "1234567890123456789.1", "1.12345678901",
            "--1.2", "-.2", "MTIzLjQ1",
        ]
        for text in refused { #expect(TaskListCursor(encoded: text) == nil, "\(text)") }
    }

    @Test func queryStringsDecodeStrictly() throws {
        let pairs = try QueryString.parse("a=1&&b=x%2By+z&c&=v")
        #expect(pairs.map(\.name) == ["a", "b", "c", ""] && pairs.map(\.value) == ["1", "x+y z", "", "v"])
        #expect(throws: DomainError.self) { try QueryString.parse("a=%zz") }
        #expect(throws: DomainError.self) { try QueryString.parse("a=%C3") }  // not UTF-8
        #expect(throws: DomainError.self) { try QueryString.parse(String(repeating: "a=1&", count: 33)) }
    }
}
