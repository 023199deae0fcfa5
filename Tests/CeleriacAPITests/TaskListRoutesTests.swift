// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTP
import Foundation
import TestSupport
import Testing

/// `GET /tasks` against a real API, Redis and PostgreSQL: rows made by worker reports, pages,
/// and the problems a bad query or a missing database give.
/// Serialized: the APIs of one Redis database share one history writer (HistoryOutboxTests).
@Suite(.enabled(if: TestServices.enabled, "needs the test Redis and PostgreSQL (make test)"), .redisDatabase(16), .serialized)
struct TaskListRoutesTests {
    /// Reports task `prefix-i` for each `i` as `state`, created at Unix second `i`, on `queue`.
    static func report(_ stack: LiveStack, _ prefix: String, _ numbers: ClosedRange<Int>, state: String = "SUCCESS",
                       task: String = "celeriac.echo", queue: String) async throws {
        let reports = numbers.map {
            #"{"id": "\#(prefix)-\#($0)", "state": "\#(state)", "task": "\#(task)", "queue": "\#(queue)", "#
                + #""timestamp": \#(1_800_000_000 + $0), "worker": "w@h", "retries": 0, "result": \#($0)}"#
        }
        let sent = try await stack.request("POST", "/internal/reports", body: #"{"reports": [\#(reports.joined(separator: ", "))]}"#, headers: stack.asWorker)
        #expect(sent.status == 200, "\(sent.text)")
    }

    /// `GET path` once the history holds `count` items for it (the writer flushes within ~1 s;
    /// until the API has migrated the database at start, the list answers 503).
    static func list(_ stack: LiveStack, _ path: String, count: Int) async throws -> JSONValue {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let response = try await stack.request("GET", path)
            if response.status == 503 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                continue
            }
            #expect(response.status == 200, "\(response.text)")
            let body = try stack.json(response)
            if body["items"]?.arrayValue?.count == count || ContinuousClock.now > deadline { return body }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    static func ids(_ body: JSONValue) -> [String] { body["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [] }

    @Test func filtersAndPagesStayStableWhileRowsArrive() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            let prefix = TestServices.uniqueName("t")
            try await Self.report(stack, prefix, 1...5, queue: stack.queue)
            try await Self.report(stack, prefix, 6...6, state: "FAILURE", task: "celeriac.fail", queue: "other")
            let all = try await Self.list(stack, "/tasks?limit=10", count: 6)
            #expect(Self.ids(all) == (1...6).reversed().map { "\(prefix)-\($0)" })
            #expect(all["next_cursor"] == .null)
            let item = try #require(all["items"]?.arrayValue?[1])
            #expect(item["state"] == "SUCCESS" && item["result"] == 5 && item["queue"]?.stringValue == stack.queue)
            #expect(item["task"] == "celeriac.echo" && item["worker"] == "w@h" && item["created_at"] != .null)
            let failed = try await Self.list(stack, "/tasks?state=FAILURE&task=celeriac.fail&queue=other&worker=w%40h", count: 1)
            #expect(Self.ids(failed) == ["\(prefix)-6"])
            let window = try await Self.list(
                stack, "/tasks?since=2027-01-15T08:00:02Z&until=2027-01-15T08:00:04%2B00:00", count: 2)
            #expect(Self.ids(window) == ["\(prefix)-3", "\(prefix)-2"])

            let first = try await Self.list(stack, "/tasks?queue=\(stack.queue)&limit=2", count: 2)
            #expect(Self.ids(first) == ["\(prefix)-5", "\(prefix)-4"])
            let cursor = try #require(first["next_cursor"]?.stringValue)
            // Newer rows arrive between the pages: the next page is where it was.
            try await Self.report(stack, prefix, 7...9, queue: stack.queue)
            _ = try await Self.list(stack, "/tasks?queue=\(stack.queue)", count: 8)
            let second = try await Self.list(stack, "/tasks?queue=\(stack.queue)&limit=2&cursor=\(cursor)", count: 2)
            #expect(Self.ids(second) == ["\(prefix)-3", "\(prefix)-2"])
            let last = try await Self.list(
                stack, "/tasks?queue=\(stack.queue)&limit=2&cursor=\(try #require(second["next_cursor"]?.stringValue))",
                count: 1)
            #expect(Self.ids(last) == ["\(prefix)-1"] && last["next_cursor"] == .null)
        }
    }

    @Test func badParametersAreProblemsNamingThem() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            for (query, parameter) in [
                ("state=DONE", "state"), ("cursor=bm90LWEtY3Vyc29y", "cursor"), ("cursor=1.2.3", "cursor"), ("cursor=%%%", "cursor"),
                ("since=2026-12-04T09:00:00", "since"), ("limit=501", "limit"), ("sort=id", "sort"),
            ] {
                let response = try await stack.request("GET", "/tasks?" + query)
                #expect(response.status == 422, "\(query): \(response.status) \(response.text)")
                #expect(response.headers.first { $0.0.lowercased() == "content-type" }?.1 == "application/problem+json")
                let errors = try stack.json(response)["errors"]?.arrayValue ?? []
                #expect(errors.first?["parameter"]?.stringValue == parameter, "\(query): \(response.text)")
            }
        }
    }

    @Test func withoutPostgreSQLTheListIsUnavailable() async throws {
        try await LiveStack.run(
            // No database, so no tokens: authentication off (this is about the list, not auth).
            startWorker: false, environment: ["CELERIAC_DATABASE_URL": "postgresql://celeriac@127.0.0.1:1/none", "CELERIAC_AUTH": "off"]
        ) { stack in
            let response = try await stack.request("GET", "/tasks")
            #expect(response.status == 503, "\(response.text)")
            #expect(try stack.json(response)["type"] == "/problems/unavailable")
            #expect(try await stack.request("GET", "/tasks?state=NOPE").status == 422)  // the query is checked first
        }
    }
}
