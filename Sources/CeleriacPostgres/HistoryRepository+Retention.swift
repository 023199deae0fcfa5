// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import CeleriacCore

extension HistoryRepository {
    /// Deletes up to `limit` history rows finished (`date_done`) before `cutoff`, oldest first,
    /// with their `celeriac_taskresult_queue` rows, in one bounded statement: call again while
    /// it returns `limit`.
    /// - Returns: how many history rows were deleted.
    @discardableResult
    public func deleteDone(before cutoff: Date, limit: Int) async throws -> Int {
        let rows = try await client.query(Self.deleteDoneStatement, [CeleryTime.format(cutoff), String(limit)])
        return try rows.rows.first?.decode(0) ?? 0
    }

    /// Deletes up to `limit` queue rows whose history row is gone (Django deleted it, or the
    /// table was truncated): what retention does not reach through ``deleteDone(before:limit:)``.
    /// - Returns: how many were deleted.
    @discardableResult
    public func deleteOrphanedQueues(limit: Int) async throws -> Int {
        try await client.query(Self.deleteOrphansStatement, [String(limit)]).affected
    }

    static let deleteDoneStatement = PGStatement(name: "celeriac_history_expire", sql: """
        WITH doomed AS (
            DELETE FROM django_celery_results_taskresult t
            USING (
                SELECT id FROM django_celery_results_taskresult
                WHERE date_done < $1::timestamptz ORDER BY date_done LIMIT $2::integer
            ) d
            WHERE t.id = d.id
            RETURNING t.task_id
        ), queues AS (
            DELETE FROM celeriac_taskresult_queue q USING doomed WHERE q.task_id = doomed.task_id
        )
        SELECT count(*) FROM doomed
        """)

    static let deleteOrphansStatement = PGStatement(name: "celeriac_history_orphans", sql: """
        DELETE FROM celeriac_taskresult_queue WHERE task_id IN (
            SELECT q.task_id FROM celeriac_taskresult_queue q
            WHERE NOT EXISTS (
                SELECT 1 FROM django_celery_results_taskresult t WHERE t.task_id = q.task_id AND t.id = q.result_id)
            LIMIT $1::integer)
        """)
}
