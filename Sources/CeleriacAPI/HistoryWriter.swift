// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacPostgres
import CeleriacRedis
import CeleriacSystem
import Logging
import ServiceLifecycle

/// Writes task history to PostgreSQL in the background, so enqueue and reports never wait
/// on (or fail because of) the database.
///
/// Reports put their history entries in the Redis outbox in the step that applies them
/// (``HistoryOutbox``); this writer reads the outbox (one API process at a time, under a
/// lease), holds each entry for a short coalescing window (``HistoryBuffer``) so a quick
/// task's states become one row write, upserts them, and only then deletes them from the
/// outbox. An API killed at any moment loses no row; while PostgreSQL is down the entries
/// wait in Redis. PENDING rows (`CELERIAC_HISTORY_PENDING`) are the exception: they come from
/// this process (``record(_:)``) and are held in memory, bounded.
final class HistoryWriter: Service {
    private let repository: HistoryRepository
    private let outbox: HistoryOutbox
    private let migrations: SchemaMigrations
    private let logger: Logger
    private let buffer = Locked(HistoryBuffer(capacity: HistoryWriter.capacity))
    private let wake = WakeSignal()
    /// This process's claim on the writer's lease.
    private let owner = TaskID.random()
    /// The last outbox entry read while holding the lease; nil: read from the start.
    private let lastRead = Locked<String?>(nil)
    private let failures = Locked(0)
    /// Most entries held in memory; the outbox is read no further while it is full.
    static let capacity = 100_000
    /// How long an entry waits for later states of its task before it is written.
    static let coalescingWindow: Duration = .seconds(1)
    /// Most entries written in one statement.
    static let batchSize = 1000
    /// Least time between writes (and outbox reads): every statement has a fixed cost (parse,
    /// plan, commit), so a few larger ones a second leave more of the cores to enqueues and
    /// reports than one small one every few milliseconds.
    static let flushInterval: Duration = .milliseconds(250)

    init(client: PostgresClient, outbox: HistoryOutbox, migrations: SchemaMigrations, logger: Logger) {
        repository = HistoryRepository(client: client)
        self.outbox = outbox
        self.migrations = migrations
        self.logger = logger
    }

    /// Queues one entry that is not in the outbox (a PENDING row at enqueue).
    func record(_ entry: HistoryEntry) {
        if buffer.withLock({ $0.append(entry, at: .now) }) { wake.notify() }
    }

    /// Entries read and waiting to be written.
    var backlog: Int { buffer.withLock { $0.count } }

    func run() async throws {
        await cancelWhenGracefulShutdown { await self.migrations.waitUntilDone() }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.pull()
                let written = await self.flush(window: Self.coalescingWindow)
                // Back to the outbox after the flush interval; after a failed write, a second.
                await self.wake.wait(timeout: written ? Self.flushInterval : .seconds(1))
            }
        }
        // Best effort on the way out: everything read, due or not. What is left stays in the
        // outbox for the next writer, which may start at once.
        _ = await flush(window: .zero)
        try? await outbox.releaseLease(owner: owner)
    }

    /// Reads new outbox entries into the buffer, if this process holds the writer's lease.
    func pull() async {
        do {
            guard try await outbox.holdLease(owner: owner) else {
                lastRead.withLock { $0 = nil }  // when the lease comes back, start over
                return
            }
            let room = buffer.withLock { $0.capacity - $0.count }
            guard room > 0 else { return }
            let entries = try await outbox.read(after: lastRead.withLock { $0 }, count: min(room, 5 * Self.batchSize))
            guard let last = entries.last else { return }
            var unreadable: [String] = []
            buffer.withLock { buffer in
                for item in entries {
                    if let entry = HistoryEntry(outboxRecord: item.payload) {
                        buffer.append(entry, at: .now, ids: [item.id])
                    } else {
                        unreadable.append(item.id)
                    }
                }
            }
            lastRead.withLock { $0 = last.id }
            if !unreadable.isEmpty {
                logger.error("unreadable history outbox entries dropped", metadata: ["ids": "\(unreadable.prefix(10))"])
                try await outbox.delete(unreadable)
            }
            failures.withLock { $0 = 0 }
        } catch {
            if failures.withLock({ $0 += 1; return $0 }) == 1 {
                logger.warning("cannot read the history outbox; will retry", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Writes the entries that have waited `window`, a batch per statement, deleting each
    /// batch from the outbox once committed; after repeated failures puts the rest back and
    /// returns false.
    func flush(window: Duration) async -> Bool {
        var failures = 0
        while true {
            let taken = buffer.withLock { $0.takeDue(now: .now, window: window, limit: Self.batchSize) }
            guard !taken.isEmpty else { return true }
            do {
                try await repository.upsert(taken.map(\.entry))
                failures = 0
                await deleteFromOutbox(taken)
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
            await deleteFromOutbox([item])
        }
    }

    /// Deletes written entries from the outbox. On failure they stay there and are written
    /// again by the next writer that reads the outbox from its start (upserts: harmless).
    private func deleteFromOutbox(_ items: [HistoryBuffer.Item]) async {
        let ids = items.flatMap(\.ids)
        guard !ids.isEmpty else { return }
        do {
            try await outbox.delete(ids)
        } catch {
            logger.warning("cannot delete written history from the outbox", metadata: ["error": "\(error)"])
        }
    }
}
