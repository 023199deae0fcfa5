// Celeriac — a Celery-compatible job service in Swift.

public import Foundation
import CeleriacCore

extension HistoryRepository {
    /// Deletes up to `limit` history rows finished (`date_done`) before `cutoff`, oldest first,
    /// with their `celeriac_taskresult_queue` rows (cascade). One bounded statement: call again
    /// while it returns `limit`.
    /// - Returns: how many rows were deleted.
    @discardableResult
    public func deleteDone(before cutoff: Date, limit: Int) async throws -> Int {
        try await client.query(Self.deleteDoneStatement, [CeleryTime.format(cutoff), String(limit)]).affected
    }

    static let deleteDoneStatement = PGStatement(name: "celeriac_history_expire", sql: """
        DELETE FROM django_celery_results_taskresult t
        USING (
            SELECT id FROM django_celery_results_taskresult
            WHERE date_done < $1::timestamptz ORDER BY date_done LIMIT $2::integer
        ) doomed
        WHERE t.id = doomed.id
        """)
}
