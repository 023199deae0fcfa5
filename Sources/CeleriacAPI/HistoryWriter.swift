// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacPostgres
import Logging
import ServiceLifecycle

/// Writes task history to PostgreSQL in the background, so enqueue and reports never wait
/// on (or fail because of) the database. Applies migrations first; while PostgreSQL is down
/// it keeps entries in memory (bounded) and catches up when it returns.
final class HistoryWriter: Service {
    private let repository: HistoryRepository
    private let migrator: Migrator
    private let logger: Logger
    private let buffer = Locked<[HistoryEntry]>([])
    private let wake = WakeSignal()
    private let dropped = Locked(0)
    private let migrated = Locked(false)
    /// Most entries held while PostgreSQL is unreachable; older ones are dropped first.
    static let capacity = 100_000

    init(client: PostgresClient, logger: Logger) {
        repository = HistoryRepository(client: client)
        migrator = Migrator(client: client)
        self.logger = logger
    }

    /// True once migrations have been applied (readiness).
    var isMigrated: Bool { migrated.current }

    /// Queues one entry.
    func record(_ entry: HistoryEntry) {
        let overflow = buffer.withLock { entries -> Bool in
            entries.append(entry)
            guard entries.count > Self.capacity else { return false }
            entries.removeFirst(entries.count - Self.capacity)
            return true
        }
        if overflow { dropped.withLock { $0 += 1 } }
        wake.notify()
    }

    /// Entries waiting to be written.
    var backlog: Int { buffer.withLock { $0.count } }

    func run() async throws {
        await migrate()
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.flush()
                await self.wake.wait(timeout: .seconds(1))
            }
        }
        await flush()  // best effort on the way out
    }

    func migrate() async {
        var failures = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let applied = try await migrator.migrate()
                if !applied.isEmpty { logger.info("applied migrations", metadata: ["versions": "\(applied)"]) }
                migrated.withLock { $0 = true }
                return
            } catch {
                failures += 1
                if failures == 1 || failures % 30 == 0 {
                    logger.warning("cannot migrate PostgreSQL; retrying", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(min(5, failures)))
            }
        }
    }

    /// Most entries written in one statement.
    static let batchSize = 1000

    /// Writes what is buffered, oldest first, a batch per statement; stops after repeated
    /// failures and keeps the rest.
    func flush() async {
        var failures = 0
        while true {
            let droppedBefore = dropped.current
            let batch = buffer.withLock { Array($0.prefix(Self.batchSize)) }
            guard !batch.isEmpty else { return }
            do {
                try await repository.upsert(batch)
                // Overflow may have dropped some of this batch from the front meanwhile.
                let gone = dropped.current - droppedBefore
                buffer.withLock { $0.removeFirst(min(max(0, batch.count - gone), $0.count)) }
                failures = 0
            } catch {
                failures += 1
                if failures == 1 {
                    logger.warning("cannot write history; will retry", metadata: ["error": "\(error)", "backlog": "\(backlog)"])
                }
                if Task.isCancelled || failures > 3 { return }
                try? await Task.sleep(for: .milliseconds(200 * failures))
            }
        }
    }
}
