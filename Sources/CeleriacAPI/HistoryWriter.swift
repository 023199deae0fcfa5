// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacSystem
import CeleriacPostgres
import Logging
import ServiceLifecycle

/// Writes task history to PostgreSQL in the background, so enqueue and reports never wait
/// on (or fail because of) the database. Waits for the schema migrations; holds each entry for a
/// short coalescing window (``HistoryBuffer``) so a quick task's states become one row write;
/// while PostgreSQL is down it keeps entries in memory (bounded) and catches up when it
/// returns.
final class HistoryWriter: Service {
    private let repository: HistoryRepository
    private let migrations: SchemaMigrations
    private let logger: Logger
    private let buffer = Locked(HistoryBuffer(capacity: HistoryWriter.capacity))
    private let wake = WakeSignal()
    /// Most entries held while PostgreSQL is unreachable; older ones are dropped first.
    static let capacity = 100_000
    /// How long an entry waits for later states of its task before it is written.
    static let coalescingWindow: Duration = .seconds(1)
    /// Most entries written in one statement.
    static let batchSize = 1000
    /// Least time between writes: every statement has a fixed cost (parse, plan, commit), so
    /// a few larger ones a second leave more of the cores to enqueues and reports than one
    /// small one every few milliseconds.
    static let flushInterval: Duration = .milliseconds(250)

    init(client: PostgresClient, migrations: SchemaMigrations, logger: Logger) {
        repository = HistoryRepository(client: client)
        self.migrations = migrations
        self.logger = logger
    }

    /// Queues one entry.
    func record(_ entry: HistoryEntry) {
        if buffer.withLock({ $0.append(entry, at: .now) }) { wake.notify() }
    }

    /// Entries waiting to be written.
    var backlog: Int { buffer.withLock { $0.count } }

    func run() async throws {
        await cancelWhenGracefulShutdown { await self.migrations.waitUntilDone() }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let written = await self.flush(window: Self.coalescingWindow)
                // Sleep until the oldest entry is due; after a failed write, back off.
                let oldest = self.buffer.withLock { $0.oldest }
                let due = oldest.map { $0 + Self.coalescingWindow - .now } ?? .seconds(1)
                await self.wake.wait(timeout: written ? max(Self.flushInterval, due) : .seconds(1))
            }
        }
        _ = await flush(window: .zero)  // best effort on the way out: everything, due or not
    }

    /// Writes the entries that have waited `window`, a batch per statement; after repeated
    /// failures puts the rest back and returns false.
    func flush(window: Duration) async -> Bool {
        var failures = 0
        while true {
            let taken = buffer.withLock { $0.takeDue(now: .now, window: window, limit: Self.batchSize) }
            guard !taken.isEmpty else { return true }
            do {
                try await repository.upsert(taken.map(\.entry))
                failures = 0
            } catch let error as PostgresError where error.isDataError {
                // One row PostgreSQL cannot take must not hold back the rest, retried forever.
                await writeOneByOne(taken)
            } catch {
                buffer.withLock { $0.putBack(taken) }
                failures += 1
                if failures == 1 {
                    logger.warning("cannot write history; will retry", metadata: ["error": "\(error)", "backlog": "\(backlog)"])
                }
                if Task.isCancelled || failures > 3 { return false }
                try? await Task.sleep(for: Backoff.database.delay(afterFailures: failures))
            }
        }
    }

    /// Writes a batch that PostgreSQL refused for its data a row at a time (the buffer holds
    /// one entry per task), dropping and logging the rows it still refuses. On any other
    /// failure (PostgreSQL gone) the rest go back to the buffer.
    private func writeOneByOne(_ items: [HistoryBuffer.Item]) async {
        for (index, item) in items.enumerated() {
            do {
                try await repository.upsert(item.entry)
            } catch let error as PostgresError where error.isDataError {
                logger.error(
                    "history row refused by PostgreSQL; dropped",
                    metadata: ["task_id": "\(item.entry.taskID.prefix(255))", "error": "\(error)"])
            } catch {
                buffer.withLock { $0.putBack(Array(items[index...])) }
                return
            }
        }
    }
}
