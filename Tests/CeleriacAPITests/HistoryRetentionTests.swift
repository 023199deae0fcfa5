// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacPostgres
import CeleriacSystem
import Foundation
import Logging
import TestSupport
import Testing

@testable import CeleriacAPI

/// History older than the retention goes, on the service's own schedule: the test moves a
/// manual clock instead of waiting an hour (or thirty days).
@Suite(.enabled(if: TestServices.enabled, "needs the test PostgreSQL (make test)"))
struct HistoryRetentionTests {
    @Test func rowsOlderThanTheRetentionAreDeletedAsTheClockMoves() async throws {
        let client = PostgresClient(url: try await TestDatabase.create())
        var logger = Logger(label: "test-retention")
        logger.logLevel = .critical
        let migrations = SchemaMigrations(client: client, logger: logger)
        await migrations.run()
        let clock = ManualClock()
        let day = 86_400.0
        let history = HistoryRepository(client: client)
        // Finished 40, 20 and 5 days before the clock's now; one more per day of the last 5.
        func entry(_ id: String, daysAgo: Double) -> HistoryEntry {
            HistoryEntry(taskID: id, status: .success, taskName: "celeriac.echo", at: clock.now.addingTimeInterval(-daysAgo * day), queue: "celery")
        }
        try await history.upsert([entry("old", daysAgo: 40), entry("middle", daysAgo: 20), entry("recent", daysAgo: 5)])
        func remaining() async throws -> [String] {
            try await history.list(TaskListQuery()).records.map(\.id)
        }
        let retention = HistoryRetention(
            repository: history, migrations: migrations, retention: .seconds(30 * 86_400), clock: clock, logger: logger)
        let running = Task { await retention.sweepForever() }
        defer { running.cancel() }
        try await clock.waitForSleepers(1)  // swept at start, now waiting an interval
        #expect(try await remaining() == ["recent", "middle"])
        clock.advance(by: 9 * day)  // "middle" is 29 days old: kept
        try await clock.waitForSleepers(1)
        #expect(try await remaining() == ["recent", "middle"])
        clock.advance(by: 2 * day)  // 31 days
        try await clock.waitForSleepers(1)
        #expect(try await remaining() == ["recent"])
        #expect(try await client.query("SELECT queue FROM celeriac_taskresult_queue").values == [["celery"]])
    }

    @Test func retentionIsConfigurableAndZeroTurnsItOff() throws {
        #expect(try Settings(environment: [:]).historyRetentionDays == 30)
        #expect(try Settings(environment: ["CELERIAC_HISTORY_RETENTION_DAYS": "7"]).historyRetentionDays == 7)
        #expect(try Settings(environment: ["CELERIAC_HISTORY_RETENTION_DAYS": "0"]).historyRetentionDays == 0)
        #expect(throws: ConfigError.self) { try Settings(environment: ["CELERIAC_HISTORY_RETENTION_DAYS": "-1"]) }
    }
}
