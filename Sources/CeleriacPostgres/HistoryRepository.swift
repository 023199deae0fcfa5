// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
import Foundation

/// Task history in django-celery-results' table, so Django admin shows our tasks too.
public struct HistoryRepository: Sendable {
    public let client: PostgresClient

    public init(client: PostgresClient) { self.client = client }

    /// SQL rank of a status along one run, matching ``TaskState/progress``.
    static func rank(_ column: String) -> String {
        "(CASE \(column) WHEN 'PENDING' THEN 0 WHEN 'RECEIVED' THEN 1 WHEN 'STARTED' THEN 2 WHEN 'RETRY' THEN 3 ELSE 4 END)"
    }

    static let upsertSQL = """
        INSERT INTO django_celery_results_taskresult AS t
            (task_id, status, content_type, content_encoding, result, date_done, traceback, meta,
             task_args, task_kwargs, task_name, worker, date_created, date_started)
        VALUES ($1, $2, 'application/json', 'utf-8', $3, $4, $5, '{"children": []}', $6, $7, $8, $9, $4, $10)
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
        WHERE \(rank("t.status")) <= \(rank("EXCLUDED.status"))
        """

    /// Inserts or advances the row; an older state never overwrites a newer one.
    public func upsert(_ entry: HistoryEntry) async throws {
        try await client.query(Self.upsertSQL, [
            entry.taskID, entry.status.rawValue, entry.result, CeleryTime.format(entry.at), entry.traceback,
            entry.taskArgs, entry.taskKwargs, entry.taskName, entry.worker, entry.startedAt.map(CeleryTime.format),
        ])
    }

    /// The row for `taskID` as a record; nil when absent. Arguments are not recoverable from
    /// django-celery-results' repr columns, so `args`/`kwargs` come back empty.
    public func fetch(taskID: String) async throws -> TaskRecord? {
        let rows = try await client.query("""
            SELECT status, result, traceback, task_name, worker,
                   extract(epoch FROM date_created)::text, extract(epoch FROM date_started)::text,
                   extract(epoch FROM date_done)::text
            FROM django_celery_results_taskresult WHERE task_id = $1
            """, [taskID])
        guard let row = rows.values.first else { return nil }
        let state = row[0].flatMap(TaskState.init(rawValue:)) ?? .pending
        func date(_ text: String?) -> Date? { text.flatMap(Double.init).map(Date.init(timeIntervalSince1970:)) }
        var record = TaskRecord(
            id: taskID, task: row[3] ?? "", state: state, createdAt: date(row[5]), startedAt: date(row[6]),
            finishedAt: state.isFinal ? date(row[7]) : nil, worker: row[4])
        let result = row[1].flatMap { try? JSONValue.parse($0) } ?? .null
        if state == .failure {
            record.error = TaskError(celeryResult: result, traceback: row[2])
        } else if state == .success {
            record.result = result
        }
        return record
    }
}
