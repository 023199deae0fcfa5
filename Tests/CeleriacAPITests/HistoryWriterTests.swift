// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacPostgres
import CeleriacRedis
import Foundation
import Logging
import TestSupport
import Testing

@testable import CeleriacAPI

@Suite(.enabled(if: TestServices.enabled, "needs the test PostgreSQL (make test)"))
struct HistoryWriterTests {
    /// One row PostgreSQL refuses for its values used to fail its batch on every retry, so no
    /// history was written at all: it is dropped and the rest of the batch is written.
    @Test func aRowPostgreSQLRefusesIsDroppedAndTheRestAreWritten() async throws {
        let client = PostgresClient(url: try await TestDatabase.create())
        var logger = Logger(label: "test-history")
        logger.logLevel = .critical
        let migrations = SchemaMigrations(client: client, logger: logger)
        let writer = HistoryWriter(
            client: client, outbox: HistoryOutbox(redis: RedisClient(url: try TestServices.redisURL)), migrations: migrations,
            logger: logger)
        await migrations.run()
        let good = (0..<3).map { _ in UUID().uuidString.lowercased() }
        let refused = String(repeating: "p", count: 300)  // task_id is varchar(255)
        for id in [good[0], refused, good[1], good[2]] {
            writer.record(HistoryEntry(enqueued: TaskRecord(id: id, task: "celeriac.echo", state: .pending), at: Date()))
        }
        #expect(await writer.flush(window: .zero))
        #expect(writer.backlog == 0)
        let rows = try await client.query("SELECT task_id FROM django_celery_results_taskresult")
        #expect(Set(rows.values.compactMap { $0.first ?? nil }) == Set(good))
    }
}
