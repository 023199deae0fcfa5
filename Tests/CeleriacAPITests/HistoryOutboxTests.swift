// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTP
import CeleriacPostgres
import CeleriacRedis
import Foundation
import Logging
import TestSupport
import Testing

@testable import CeleriacAPI

/// History goes through the Redis outbox: written by the report script, deleted only once
/// PostgreSQL has it, written by one API at a time. Serialized: every API of a Redis database
/// competes for the one writer's lease, and each test's API has a PostgreSQL database of its own.
@Suite(.enabled(if: TestServices.enabled, "needs the test Redis and PostgreSQL (make test)"), .redisDatabase(19), .serialized)
struct HistoryOutboxTests {
    @Test func historyRowIsWrittenInDjangoCeleryResultsTable() async throws {
        try await LiveStack.run { stack in
            let id = try await stack.enqueue(#"{"task": "celeriac.echo", "args": [1], "queue": "\#(stack.queue)"}"#)
            _ = try await stack.waitFinal(id)
            let pg = PostgresHelper(url: stack.settings.databaseURL)
            var status: String?
            for _ in 0..<100 where status != "SUCCESS" {
                // The API migrates in the background: the table may not exist yet.
                status = try? await pg.status(of: id)
                if status != "SUCCESS" { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(status == "SUCCESS")
        }
    }

    /// Like django-celery-results, a task's row starts with its first state from a worker;
    /// `CELERIAC_HISTORY_PENDING` also writes one when the task is enqueued.
    @Test(arguments: [false, true]) func aQueuedTaskHasAHistoryRowOnlyWithHistoryPending(_ pending: Bool) async throws {
        try await LiveStack.run(startWorker: false, environment: ["CELERIAC_HISTORY_PENDING": pending ? "1" : "0"]) { stack in
            let id = try await stack.enqueue(#"{"task": "celeriac.echo", "args": [1], "queue": "\#(stack.queue)"}"#)
            // A report on another task goes into the history after the queued task's entry
            // would have: the writer flushes oldest first, so once its row is there, so is that one.
            let marker = TestServices.uniqueName("marker")
            let report = #"{"reports": [{"id": "\#(marker)", "state": "STARTED", "task": "celeriac.echo", "timestamp": 1, "worker": "w", "retries": 0}]}"#
            let sent = try await stack.request("POST", "/internal/reports", body: report, headers: stack.asWorker)
            #expect(sent.status == 200, "\(sent.text)")
            let pg = PostgresHelper(url: stack.settings.databaseURL)
            var status: String?
            for _ in 0..<100 where status == nil {
                status = try? await pg.status(of: marker)
                if status == nil { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(status == "STARTED")
            #expect(try await pg.status(of: id) == (pending ? "PENDING" : nil))
        }
    }

    /// An API killed after applying reports and before writing them: the entries wait in the
    /// outbox, and the next writer takes over once the dead one's lease lapses.
    @Test func entriesOfAKilledAPIAreWrittenByTheNextWriter() async throws {
        let redis = RedisClient(url: try TestServices.redisURL)
        let tasks = TaskStore(redis: redis)
        let ids = (0..<50).map { _ in TestServices.uniqueName("task") }
        for id in ids {
            let report = TaskReport(
                id: id, state: .success, task: "celeriac.echo", queue: "celery", args: [], kwargs: [:], worker: "w",
                pid: 1, timestamp: Date().timeIntervalSince1970, result: 1)
            let entry = String(decoding: HistoryEntry(report: report).outboxRecord(), as: UTF8.self)
            #expect(try await tasks.apply(report, history: entry) == .applied)
        }
        #expect(try await HistoryOutbox(redis: redis).length() == 50)
        // The killed API still holds the lease for a moment.
        _ = try await redis.command("SET", RedisKeys.historyWriter, "killed-api", "PX", "300")
        let client = PostgresClient(url: try await TestDatabase.create())
        var logger = Logger(label: "test-history")
        logger.logLevel = .critical
        let migrations = SchemaMigrations(client: client, logger: logger)
        await migrations.run()
        let writer = HistoryWriter(client: client, outbox: HistoryOutbox(redis: redis), migrations: migrations, logger: logger)
        await writer.pull()
        #expect(writer.backlog == 0)  // not its turn yet
        try await Task.sleep(for: .milliseconds(400))
        await writer.pull()
        #expect(writer.backlog == 50)
        #expect(await writer.flush(window: .zero))
        let rows = try await client.query("SELECT task_id, status FROM django_celery_results_taskresult")
        #expect(Set(rows.values.compactMap { $0.first ?? nil }) == Set(ids))
        #expect(try await HistoryOutbox(redis: redis).length() == 0)
        _ = try await redis.command("DEL", RedisKeys.historyWriter)
    }

    /// With PostgreSQL unreachable nothing leaves the outbox.
    @Test func entriesStayInTheOutboxUntilPostgreSQLHasThem() async throws {
        let redis = RedisClient(url: try TestServices.redisURL)
        let report = TaskReport(
            id: TestServices.uniqueName("task"), state: .failure, task: "t", queue: nil, args: nil, kwargs: nil, worker: "w",
            pid: nil, timestamp: Date().timeIntervalSince1970, error: TaskError(type: "E", module: "m", message: "x"))
        _ = try await TaskStore(redis: redis).apply(report, history: String(decoding: HistoryEntry(report: report).outboxRecord(), as: UTF8.self))
        var logger = Logger(label: "test-history")
        logger.logLevel = .critical
        let client = PostgresClient(url: "postgresql://celeriac@127.0.0.1:1/none")
        let writer = HistoryWriter(
            client: client, outbox: HistoryOutbox(redis: redis), migrations: SchemaMigrations(client: client, logger: logger),
            logger: logger)
        await writer.pull()
        #expect(writer.backlog == 1)
        #expect(await writer.flush(window: .zero) == false)
        #expect(writer.backlog == 1)
        #expect(try await HistoryOutbox(redis: redis).length() == 1)
        _ = try await redis.command("DEL", RedisKeys.historyWriter, RedisKeys.historyOutbox)
    }

    @Test func anOutboxEntryRoundTrips() throws {
        let entry = HistoryEntry(
            taskID: "a", status: .failure, result: "{}", traceback: "tb", taskName: "t", taskArgs: "\"()\"",
            taskKwargs: "\"{}\"", worker: "w", at: Date(timeIntervalSince1970: 1_800_000_000.5),
            startedAt: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(HistoryEntry(outboxRecord: entry.outboxRecord()) == entry)
        #expect(HistoryEntry(outboxRecord: Array("{}".utf8)) == nil)
    }
}
