// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Task history in django-celery-results' table, so Django admin shows our tasks too.
public struct HistoryRepository: Sendable {
    public let client: PostgresClient

    public init(client: PostgresClient) { self.client = client }

    /// SQL rank of a status along one run, made from ``TaskState/progress`` (the Lua scripts
    /// get the same number from Swift): a state another producer wrote that we do not know
    /// ranks lowest.
    static func rank(_ column: String) -> String {
        let cases = TaskState.allCases.map { "WHEN '\($0.rawValue)' THEN \($0.rank)" }.joined(separator: " ")
        return "(CASE \(column) \(cases) ELSE 0 END)"
    }

    /// One statement for a whole batch: each parameter is a `text[]` column, unnested. The
    /// rows written (inserted, or advanced by an upsert) with a queue get their
    /// `celeriac_taskresult_queue` row in the same statement; the first queue seen stays (a
    /// leftover for another row of the same task id is replaced).
    static func writeSQL(onConflict: String) -> String {
        """
        WITH u AS (
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                                 $8::text[], $9::text[], $10::text[], $11::text[])
                AS u(task_id, status, result, at, traceback, task_args, task_kwargs, task_name, worker, started, queue)
        ), written AS (
            INSERT INTO django_celery_results_taskresult AS t
                (task_id, status, content_type, content_encoding, result, date_done, traceback, meta,
                 task_args, task_kwargs, task_name, worker, date_created, date_started)
            SELECT u.task_id, u.status, 'application/json', 'utf-8', u.result, u.at::timestamptz, u.traceback,
                   '{"children": []}', u.task_args, u.task_kwargs, u.task_name, u.worker, u.at::timestamptz,
                   u.started::timestamptz
            FROM u
            \(onConflict)
            RETURNING t.id, t.task_id, t.date_created
        )
        INSERT INTO celeriac_taskresult_queue AS q (task_id, result_id, queue, date_created)
        SELECT w.task_id, w.id, u.queue, w.date_created FROM written w JOIN u ON u.task_id = w.task_id
        WHERE u.queue IS NOT NULL
        ON CONFLICT (task_id) DO UPDATE SET
            result_id = EXCLUDED.result_id, queue = EXCLUDED.queue, date_created = EXCLUDED.date_created
        WHERE q.result_id <> EXCLUDED.result_id
        """
    }

    static let insertSQL = writeSQL(onConflict: "")

    /// ``insertSQL`` that advances existing rows instead.
    static let upsertSQL = writeSQL(onConflict: """
        ON CONFLICT (task_id) DO UPDATE SET
            status = EXCLUDED.status,
            result = COALESCE(EXCLUDED.result, t.result),
            date_done = EXCLUDED.date_done,
            traceback = COALESCE(EXCLUDED.traceback, t.traceback),
            task_args = COALESCE(t.task_args, EXCLUDED.task_args),
            task_kwargs = COALESCE(t.task_kwargs, EXCLUDED.task_kwargs),
            task_name = COALESCE(t.task_name, EXCLUDED.task_name),
            worker = COALESCE(EXCLUDED.worker, t.worker),
            date_started = COALESCE(EXCLUDED.date_started, t.date_started)
        WHERE \(rank("t.status")) <= \(rank("EXCLUDED.status")) OR t.status = '\(TaskState.retry.rawValue)'
        """)

    /// SQLSTATE `unique_violation`.
    static let uniqueViolation = "23505"

    /// Inserts or advances the row; an older state never overwrites a newer one.
    public func upsert(_ entry: HistoryEntry) async throws {
        try await upsert([entry])
    }

    /// Inserts or advances the rows of a batch (entries of one task are merged first, in
    /// order). Rows of tasks the API just enqueued are plain inserts: the conflict check of an
    /// upsert cost PostgreSQL a third more per row, and enqueue bursts are mostly such rows.
    /// Should one exist after all (a batch retried after a commit whose answer was lost),
    /// those rows are upserted instead.
    public func upsert(_ entries: [HistoryEntry]) async throws {
        let rows = HistoryEntry.coalesced(entries)
        let fresh = rows.filter(\.isNewTask)
        var known = rows.filter { !$0.isNewTask }
        if !fresh.isEmpty {
            do {
                try await write(fresh, Self.insertSQL)
            } catch PostgresError.query(sqlState: Self.uniqueViolation, message: _) {
                known += fresh
            }
        }
        if !known.isEmpty { try await write(known, Self.upsertSQL) }
    }

    /// Widths of django-celery-results' `varchar` columns we write free text to: a longer
    /// worker or task name (a report may carry any) is cut to fit rather than failing the batch.
    static let taskNameWidth = Names.maxTaskName
    static let workerWidth = 100
    /// `celeriac_taskresult_queue.queue`.
    static let queueWidth = Names.maxQueueName

    private func write(_ rows: [HistoryEntry], _ sql: String) async throws {
        func column(_ value: (HistoryEntry) -> String?) -> String? { PGTextArray.literal(rows.map(value)) }
        try await client.query(sql, [
            column(\.taskID), column(\.status.rawValue), column(\.result), column { CeleryTime.format($0.at) },
            column(\.traceback), column(\.taskArgs), column(\.taskKwargs),
            column { $0.taskName.map { Self.fitted($0, Self.taskNameWidth) } },
            column { $0.worker.map { Self.fitted($0, Self.workerWidth) } },
            column { $0.startedAt.map(CeleryTime.format) }, column { $0.queue.map { Self.fitted($0, Self.queueWidth) } },
        ])
    }

    /// `text` cut to `width` characters (PostgreSQL counts a `varchar`'s length in code points).
    static func fitted(_ text: String, _ width: Int) -> String {
        guard !Names.fits(text, in: width) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.prefix(width)))
    }

    /// The columns ``record(taskID:from:at:)`` reads, in its order, of the history table as
    /// `t` joined with its queue as `q`.
    static let recordColumns = """
        t.status, t.result, t.traceback, t.task_name, t.worker, extract(epoch FROM t.date_created)::text,
        extract(epoch FROM t.date_started)::text, extract(epoch FROM t.date_done)::text, q.queue
        """

    static let fetchStatement = PGStatement(name: "celeriac_history_fetch", sql: """
        SELECT \(recordColumns) FROM django_celery_results_taskresult t
        LEFT JOIN celeriac_taskresult_queue q ON q.task_id = t.task_id AND q.result_id = t.id
        WHERE t.task_id = $1
        """)

    /// The row for `taskID` as a record; nil when absent. Arguments are not recoverable from
    /// django-celery-results' repr columns, so `args`/`kwargs` come back empty.
    public func fetch(taskID: String) async throws -> TaskRecord? {
        guard let row = try await client.query(Self.fetchStatement, [taskID]).rows.first else { return nil }
        return try Self.record(taskID: taskID, from: row)
    }

    /// A record from ``recordColumns``, which start at column `first` of `row`.
    static func record(taskID: String, from row: PGRow, at first: Int = 0) throws -> TaskRecord {
        let state = try row.decodeIfPresent(first, as: String.self).flatMap(TaskState.init(rawValue:)) ?? .pending
        var record = TaskRecord(
            id: taskID, task: try row.decodeIfPresent(first + 3) ?? "", state: state, queue: try row.decodeIfPresent(first + 8),
            createdAt: try row.decodeIfPresent(first + 5), startedAt: try row.decodeIfPresent(first + 6),
            finishedAt: state.isFinal ? try row.decodeIfPresent(first + 7) : nil, worker: try row.decodeIfPresent(first + 4))
        let result = try row.decodeIfPresent(first + 1, as: String.self).flatMap { try? JSONValue.parse($0) } ?? .null
        if state == .failure {
            record.error = TaskError(celeryResult: result, traceback: try row.decodeIfPresent(first + 2))
        } else if state == .success {
            record.result = result
        }
        return record
    }
}
