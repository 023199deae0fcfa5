// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacPostgres
import Foundation
import TestSupport
import Testing

@Suite(.enabled(if: TestServices.enabled, "needs the test PostgreSQL (make test)"))
struct HistoryRepositoryTests {
    func repository() async throws -> HistoryRepository {
        let client = PostgresClient(url: try await TestDatabase.create())
        try await Migrator(client: client).migrate()
        return HistoryRepository(client: client)
    }

    @Test func rowsAdvanceAndNeverGoBack() async throws {
        let history = try await repository()
        let id = UUID().uuidString.lowercased()
        let record = TaskRecord(id: id, task: "celeriac.echo", state: .pending, args: ["it's"], kwargs: ["k": 1])
        try await history.upsert(HistoryEntry(enqueued: record, at: Date()))
        let success = TaskReport(
            id: id, state: .success, task: "celeriac.echo", queue: "celery", args: ["it's"], kwargs: ["k": 1],
            worker: "w@h", pid: 1, timestamp: Date().timeIntervalSince1970, result: "it's")
        try await history.upsert(HistoryEntry(report: success))
        var started = success
        started.state = .started
        started.result = nil
        try await history.upsert(HistoryEntry(report: started))  // late, must not win

        let fetched = try #require(try await history.fetch(taskID: id))
        #expect(fetched.state == .success && fetched.result == "it's" && fetched.worker == "w@h")
        let row = try await history.client.query(
            "SELECT task_args, task_kwargs, meta, content_type FROM django_celery_results_taskresult WHERE task_id = $1", [id])
        // django-celery-results stores repr() of the arguments as a JSON string.
        #expect(row.values == [[#""(\"it's\",)""#, #""{'k': 1}""#, #"{"children": []}"#, "application/json"]])
        #expect(try await history.fetch(taskID: "no-such-task") == nil)
    }

    /// Lookups are prepared statements: one prepared on a connection that is then lost must
    /// be prepared again on its replacement, not fail for good.
    @Test func lookupsKeepWorkingAfterTheirConnectionsAreReplaced() async throws {
        let url = try await TestDatabase.create()
        let client = PostgresClient(url: url)
        try await Migrator(client: client).migrate()
        let history = HistoryRepository(client: client)
        let id = UUID().uuidString.lowercased()
        try await history.upsert(HistoryEntry(enqueued: TaskRecord(id: id, task: "celeriac.echo", state: .pending), at: Date()))
        for _ in 0..<3 { #expect(try await history.fetch(taskID: id)?.state == .pending) }
        try await PostgresClient(url: url, size: 1).query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        var failures = 0
        var found: TaskRecord?
        while found == nil && failures <= 2 {
            do { found = try await history.fetch(taskID: id) } catch { failures += 1 }
        }
        #expect(found?.state == .pending, "failures: \(failures)")
        #expect(try await history.fetch(taskID: "no-such-task") == nil)
    }

    /// A server that forgot the statement (`DEALLOCATE ALL`, a pooler's other connection):
    /// the lookup still answers, and the statement is prepared again for the next one.
    @Test func lookupsSurviveTheServerForgettingTheStatement() async throws {
        let client = PostgresClient(url: try await TestDatabase.create(), size: 1)
        try await Migrator(client: client).migrate()
        let history = HistoryRepository(client: client)
        let id = UUID().uuidString.lowercased()
        try await history.upsert(HistoryEntry(enqueued: TaskRecord(id: id, task: "celeriac.echo", state: .pending), at: Date()))
        #expect(try await history.fetch(taskID: id)?.state == .pending)
        try await client.query("DEALLOCATE ALL")
        #expect(try await history.fetch(taskID: id)?.state == .pending)
        #expect(try await history.fetch(taskID: id)?.state == .pending)
        let statements = try await client.query("SELECT name FROM pg_prepared_statements")
        #expect(statements.values == [["celeriac_history_fetch"]])
    }

    @Test func failureRowsKeepTheExceptionShape() async throws {
        let history = try await repository()
        let id = UUID().uuidString.lowercased()
        let failure = TaskReport(
            id: id, state: .failure, task: "celeriac.fail", queue: "celery", args: [], kwargs: [:], worker: "w@h", pid: 1,
            timestamp: Date().timeIntervalSince1970,
            error: TaskError(type: "RuntimeError", message: "boom", traceback: "Traceback: boom"))
        try await history.upsert(HistoryEntry(report: failure))
        let fetched = try #require(try await history.fetch(taskID: id))
        #expect(fetched.state == .failure)
        #expect(fetched.error?.type == "RuntimeError" && fetched.error?.message == "boom")
    }

    @Test func aBatchWithSeveralChangesPerTaskIsOneConsistentWrite() async throws {
        let history = try await repository()
        let a = UUID().uuidString.lowercased()
        let b = UUID().uuidString.lowercased()
        let now = Date()
        let awkward = #"quote " backslash \ brace { } comma , NULL"#
        try await history.upsert([
            HistoryEntry(taskID: a, status: .pending, taskName: "celeriac.echo", taskArgs: #""('é👋',)""#, at: now),
            HistoryEntry(taskID: b, status: .started, taskName: "celeriac.echo", worker: "w1", at: now, startedAt: now),
            HistoryEntry(taskID: a, status: .started, worker: "w1", at: now, startedAt: now),
            HistoryEntry(taskID: a, status: .success, result: JSONValue.string(awkward).jsonText, worker: "w1", at: now),
            HistoryEntry(taskID: b, status: .pending, at: now),  // late PENDING: must not win
        ])
        let rows = try await history.client.query("""
            SELECT task_id, status, result, task_args, worker, date_started IS NOT NULL
            FROM django_celery_results_taskresult WHERE task_id IN ($1, $2) ORDER BY task_id = $1 DESC
            """, [a, b])
        #expect(rows.values == [
            [a, "SUCCESS", JSONValue.string(awkward).jsonText, #""('é👋',)""#, "w1", "t"],
            [b, "STARTED", nil, nil, "w1", "t"],
        ])
    }

    @Test func newTaskRowsAreInsertedAndARetriedInsertFallsBackToAnUpsert() async throws {
        let history = try await repository()
        let fresh = UUID().uuidString.lowercased()
        let known = UUID().uuidString.lowercased()
        let now = Date()
        try await history.upsert(HistoryEntry(report: TaskReport(
            id: known, state: .started, task: "celeriac.echo", queue: nil, args: nil, kwargs: nil, worker: "w1", pid: 1,
            timestamp: now.timeIntervalSince1970)))
        let pending = HistoryEntry(enqueued: TaskRecord(id: fresh, task: "celeriac.echo", state: .pending), at: now)
        #expect(pending.isNewTask)
        // One batch: a new task's row, and a change to an existing row.
        try await history.upsert([pending, HistoryEntry(taskID: known, status: .success, result: "1", at: now)])
        // The same batch again (its first commit's answer lost): the new row exists now.
        try await history.upsert([pending.merged(with: HistoryEntry(taskID: fresh, status: .success, result: "2", at: now))])
        let rows = try await history.client.query(
            "SELECT task_id, status, result FROM django_celery_results_taskresult WHERE task_id IN ($1, $2) ORDER BY task_id = $1 DESC",
            [fresh, known])
        #expect(rows.values == [[fresh, "SUCCESS", "2"], [known, "SUCCESS", "1"]])
    }
    /// django-celery-results' columns are narrower than what a report may carry, and PostgreSQL
    /// text cannot hold U+0000: before, either failed the whole batch on every retry.
    @Test func textIsMadeToFitTheTable() async throws {
        let history = try await repository()
        let id = UUID().uuidString.lowercased()
        let worker = String(repeating: "é", count: 150)
        let task = "tasks." + String(repeating: "x", count: 300)
        try await history.upsert(HistoryEntry(report: TaskReport(
            id: id, state: .failure, task: task, queue: nil, args: ["a\u{0}b"], kwargs: nil, worker: worker, pid: 1,
            timestamp: Date().timeIntervalSince1970,
            error: TaskError(type: "RuntimeError", message: "boom", traceback: "line\u{0}break"))))
        let rows = try await history.client.query(
            "SELECT worker, task_name, traceback, task_args FROM django_celery_results_taskresult WHERE task_id = $1", [id])
        #expect(rows.values == [[
            String(repeating: "é", count: 100), String(task.prefix(255)), "line\u{FFFD}break", #""('a\\x00b',)""#,
        ]])
    }
}
