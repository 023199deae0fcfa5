// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
import Foundation

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

    /// One statement for a whole batch: each parameter is a `text[]` column, unnested.
    static let insertSQL = """
        INSERT INTO django_celery_results_taskresult AS t
            (task_id, status, content_type, content_encoding, result, date_done, traceback, meta,
             task_args, task_kwargs, task_name, worker, date_created, date_started)
        SELECT u.task_id, u.status, 'application/json', 'utf-8', u.result, u.at::timestamptz, u.traceback,
               '{"children": []}', u.task_args, u.task_kwargs, u.task_name, u.worker, u.at::timestamptz,
               u.started::timestamptz
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                    $8::text[], $9::text[], $10::text[])
             AS u(task_id, status, result, at, traceback, task_args, task_kwargs, task_name, worker, started)
        """

    /// ``insertSQL`` that advances existing rows instead.
    static let upsertSQL = insertSQL + """

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
        """

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

    private func write(_ rows: [HistoryEntry], _ sql: String) async throws {
        func column(_ value: (HistoryEntry) -> String?) -> String? { PGTextArray.literal(rows.map(value)) }
        try await client.query(sql, [
            column(\.taskID), column(\.status.rawValue), column(\.result), column { CeleryTime.format($0.at) },
            column(\.traceback), column(\.taskArgs), column(\.taskKwargs),
            column { $0.taskName.map { Self.fitted($0, Self.taskNameWidth) } },
            column { $0.worker.map { Self.fitted($0, Self.workerWidth) } },
            column { $0.startedAt.map(CeleryTime.format) },
        ])
    }

    /// `text` cut to `width` characters (PostgreSQL counts a `varchar`'s length in code points).
    static func fitted(_ text: String, _ width: Int) -> String {
        guard !Names.fits(text, in: width) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.prefix(width)))
    }

    static let fetchStatement = PGStatement(name: "celeriac_history_fetch", sql: """
        SELECT status, result, traceback, task_name, worker,
               extract(epoch FROM date_created)::text, extract(epoch FROM date_started)::text,
               extract(epoch FROM date_done)::text
        FROM django_celery_results_taskresult WHERE task_id = $1
        """)

    /// The row for `taskID` as a record; nil when absent. Arguments are not recoverable from
    /// django-celery-results' repr columns, so `args`/`kwargs` come back empty.
    public func fetch(taskID: String) async throws -> TaskRecord? {
        guard let row = try await client.query(Self.fetchStatement, [taskID]).rows.first else { return nil }
        let state = try row.decodeIfPresent(0, as: String.self).flatMap(TaskState.init(rawValue:)) ?? .pending
        var record = TaskRecord(
            id: taskID, task: try row.decodeIfPresent(3) ?? "", state: state, createdAt: try row.decodeIfPresent(5),
            startedAt: try row.decodeIfPresent(6), finishedAt: state.isFinal ? try row.decodeIfPresent(7) : nil,
            worker: try row.decodeIfPresent(4))
        let result = try row.decodeIfPresent(1, as: String.self).flatMap { try? JSONValue.parse($0) } ?? .null
        if state == .failure {
            record.error = TaskError(celeryResult: result, traceback: try row.decodeIfPresent(2))
        } else if state == .success {
            record.result = result
        }
        return record
    }
}
