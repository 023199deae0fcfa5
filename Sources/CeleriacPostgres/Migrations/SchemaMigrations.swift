// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
public import CeleriacSystem
public import Logging

/// The migration step a process runs at start (api, beat): applies ``Migrator``'s migrations,
/// retrying with backoff while PostgreSQL is unreachable, and lets the parts of the process
/// that need the tables wait for it (``waitUntilDone()``).
public final class SchemaMigrations: Sendable {
    private let migrator: Migrator
    private let logger: Logger
    private let clock: any WallClock
    private struct State {
        var done = false
        /// ``run()`` has returned, migrated (`done`) or not: waiters no longer wait.
        var finished = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Locked(State())

    public init(client: PostgresClient, logger: Logger, clock: any WallClock = SystemClock()) {
        migrator = Migrator(client: client)
        self.logger = logger
        self.clock = clock
    }

    /// True once the schema is current.
    public var isDone: Bool { state.withLock { $0.done } }

    /// Migrates, retrying until it works or the task is cancelled.
    public func run() async {
        var failures = 0
        while !Task.isCancelled {
            do {
                let applied = try await migrator.migrate()
                if !applied.isEmpty { logger.info("applied migrations", metadata: ["versions": "\(applied)"]) }
                finish(done: true)
                return
            } catch {
                failures += 1
                if failures == 1 || failures % 30 == 0 {
                    logger.warning("cannot migrate PostgreSQL; retrying", metadata: ["error": "\(error)"])
                }
                try? await clock.sleep(for: Backoff.database.delay(afterFailures: failures))
            }
        }
        finish(done: false)
    }

    /// Returns once ``run()`` has migrated the schema, or has given up (cancelled).
    public func waitUntilDone() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.finished { return true }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    private func finish(done: Bool) {
        let waiters = state.withLock { state in
            state.done = state.done || done
            state.finished = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
