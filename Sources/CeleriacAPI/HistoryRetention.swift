// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacPostgres
import CeleriacSystem
import Foundation
import Logging
import ServiceLifecycle

/// Deletes task history finished longer ago than the retention (`CELERIAC_HISTORY_RETENTION_DAYS`),
/// and queue rows whose history row another tool deleted,
/// once the schema is migrated, then every ``interval``, in statements of at most ``batch``
/// rows so no delete holds locks or a transaction for long. Every API instance runs one: the
/// deletes are idempotent. Time comes from the injected clock, so a test moves it.
struct HistoryRetention: Service {
    let repository: HistoryRepository
    let migrations: SchemaMigrations
    /// How long a finished row is kept.
    let retention: Duration
    let clock: any WallClock
    let logger: Logger
    /// Most rows deleted per statement.
    static let batch = 10_000
    /// Time between sweeps.
    static let interval: Duration = .seconds(3600)

    /// The service for the API's settings; none when retention is off (0 days).
    static func services(for api: APIContext) -> [any Service] {
        guard api.settings.historyRetentionDays > 0 else { return [] }
        return [HistoryRetention(
            repository: api.historyReader, migrations: api.migrations,
            retention: .seconds(api.settings.historyRetentionDays * 86_400), clock: api.clock, logger: api.logger)]
    }

    func run() async throws {
        await cancelWhenGracefulShutdown { await sweepForever() }
    }

    /// Sweeps now and after each ``interval`` until cancelled.
    func sweepForever() async {
        await migrations.waitUntilDone()
        while !Task.isCancelled {
            await sweep()
            do { try await clock.sleep(for: Self.interval) } catch { return }
        }
    }

    /// Deletes every row finished before now minus the retention, a batch at a time.
    /// - Returns: how many rows were deleted.
    @discardableResult
    func sweep() async -> Int {
        let cutoff = clock.now.addingTimeInterval(-retention.timeInterval)
        var deleted = 0
        while !Task.isCancelled {
            do {
                let count = try await repository.deleteDone(before: cutoff, limit: Self.batch)
                deleted += count
                if count < Self.batch { break }
            } catch {
                logger.warning("cannot delete expired history; will retry", metadata: ["error": "\(error)"])
                break
            }
        }
        // Queue rows left by deletes outside retention (Django's own cleanup, a truncate).
        while !Task.isCancelled {
            guard let count = try? await repository.deleteOrphanedQueues(limit: Self.batch), count == Self.batch else { break }
        }
        if deleted > 0 {
            logger.info("deleted expired history", metadata: ["rows": "\(deleted)", "before": "\(CeleryTime.format(cutoff))"])
        }
        return deleted
    }
}
