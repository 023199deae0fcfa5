// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacRedis
import CeleriacSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// This worker's copy of the shared revoke set: loaded from `celeriac:revoked` at start and
/// on every (re)subscription, and kept current by the revoke broadcasts on Celery's pidbox
/// channel (our API's and Celery clients'). Checked before each task runs: a dictionary lookup, no round trip.
final class RevokedTasks: Sendable {
    private let entries = Locked<[String: Date]>([:])

    func contains(_ id: String, now: Date) -> Bool {
        entries.withLock { entries in entries[id].map { $0 > now } ?? false }
    }

    /// Adds ids (keeping the later end of a revoke already known), and forgets expired ones
    /// once the copy grows past Celery's cap.
    func insert(_ revoked: [String: Date], now: Date) {
        entries.withLock { entries in
            entries.merge(revoked) { max($0, $1) }
            if entries.count > Revocations.maxEntries { entries = entries.filter { $0.value > now } }
        }
    }

    var count: Int { entries.withLock { $0.count } }
}

/// Listens for revoke broadcasts on `/<db>.celery.pidbox` (our API's and Celery clients'),
/// records them in ``RevokedTasks`` and cancels the running tasks a `terminate` names.
final class RevokeListener: Sendable {
    private let revoked: RevokedTasks
    private let running: RunningJobs
    private let revocations: Revocations
    private let worker: String
    private let clock: any WallClock
    private let logger: Logger
    private let subscriber: RedisSubscriber
    /// How long a terminated job has to end after its cancellation before it is abandoned.
    static let terminateGrace: Duration = .seconds(1)

    init(
        revoked: RevokedTasks, running: RunningJobs, revocations: Revocations, redisURL: RedisURL, worker: String,
        clock: any WallClock, logger: Logger
    ) {
        self.revoked = revoked
        self.running = running
        self.revocations = revocations
        self.worker = worker
        self.clock = clock
        self.logger = logger
        subscriber = RedisSubscriber(
            url: redisURL, name: "redis-control", channels: [RedisKeys.celeryPidbox(database: redisURL.database)])
    }

    /// Loads the revoke set; throws when Redis cannot be read (the caller retries).
    func load() async throws {
        revoked.insert(try await revocations.active(now: clock.now), now: clock.now)
    }

    func start() { subscriber.start { [weak self] event in self?.handle(event) } }

    func stop() { subscriber.stop() }

    private func handle(_ event: RedisSubscriber.Event) {
        switch event {
        case .subscribed:
            // (Re)connected: revokes published while the connection was down are in the set.
            Task {
                do { try await self.load() } catch {
                    self.logger.warning("cannot reload revoked tasks", metadata: ["error": "\(error)"])
                }
            }
        case .message(_, let payload):
            guard let command = RevokeCommand.parse(payload), command.isFor(worker: worker) else { return }
            apply(command)
        }
    }

    private func apply(_ command: RevokeCommand) {
        let now = clock.now
        let until = now.addingTimeInterval(Revocations.defaultHold.timeInterval)
        revoked.insert(Dictionary(command.taskIDs.map { ($0, until) }, uniquingKeysWith: max), now: now)
        logger.info(
            "task revoked", metadata: ["task_id": "\(command.taskIDs.joined(separator: ","))", "terminate": "\(command.terminate)"])
        // A Celery client's revoke is in no shared set (Celery workers keep revokes in memory
        // only): recorded, it also reaches our workers that start later. (For our API's, which
        // recorded it already, this rewrites the same entry.)
        Task {
            do { try await self.revocations.revoke(command, until: until, now: now, broadcast: false) } catch {
                self.logger.warning("cannot record a revoke in Redis", metadata: ["error": "\(error)"])
            }
        }
        guard command.terminate else { return }
        for id in command.taskIDs {
            for run in running.runs(of: id) {
                run.cancel(.revoked)
                Task {
                    try? await self.clock.sleep(for: Self.terminateGrace)
                    run.abandon(.revoked)
                }
            }
        }
    }
}
