// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacPostgres
import CeleriacRedis
public import CeleriacSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import Logging
public import ServiceLifecycle

/// `celeriac-beat`: one of N processes; the one holding the leader lease sends periodic
/// tasks when due, the others wait to take over (docs/beat.md).
///
/// ```swift
/// let beat = Beat(configuration: configuration, logger: logger)
/// try await ServiceGroup(services: [beat], logger: logger).run()
/// ```
public final class Beat: Service {
    let configuration: BeatConfiguration
    let clock: any WallClock
    let logger: Logger
    let leadership: BeatLeaderLease
    let publisher: TaskPublisher
    let repository: BeatRepository
    let migrations: SchemaMigrations
    private let wake = WakeSignal()
    private let stopped = Locked(false)
    /// The token of the term this process leads, if it leads.
    private let term = Locked<String?>(nil)

    public init(configuration: BeatConfiguration, clock: any WallClock = SystemClock(), logger: Logger) {
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        let redis = RedisClient(url: configuration.redisURL, name: "redis-beat")
        leadership = BeatLeaderLease(
            redis: RedisClient(url: configuration.redisURL, name: "redis-beat-lease"), name: configuration.name,
            lease: configuration.lease)
        publisher = TaskPublisher(
            broker: Broker(redis: redis, recordTTLSeconds: configuration.recordTTLSeconds), clock: clock)
        let postgres = PostgresClient(url: configuration.databaseURL, size: 2, name: "pg-beat")
        repository = BeatRepository(client: postgres)
        migrations = SchemaMigrations(client: postgres, logger: logger, clock: clock)
    }

    /// True while this process leads.
    public var isLeader: Bool { term.current != nil }

    public func run() async throws {
        // Beat may start before any API: it migrates too (under the advisory lock).
        let migrating = Task { await self.migrations.run() }
        defer { migrating.cancel() }
        await withGracefulShutdownHandler {
            await self.migrations.waitUntilDone()
            if !self.stopped.current { await self.campaign() }
        } onGracefulShutdown: {
            self.stop()
            migrating.cancel()  // a stop while PostgreSQL is away ends the wait for it
        }
    }

    /// Stops leading or waiting; a leader gives its lease up, so a standby takes over at once.
    public func stop() {
        stopped.withLock { $0 = true }
        wake.notify()
    }

    /// Waits for the lease; leads while it holds it; again until stopped.
    private func campaign() async {
        logger.info("beat started; waiting for the leader lease", metadata: ["name": "\(configuration.name)"])
        while !stopped.current {
            let token: String?
            do {
                token = try await leadership.acquire()
            } catch {
                logger.warning("leader lease: Redis unreachable; retrying", metadata: ["error": "\(error)"])
                token = nil
            }
            guard let token else {
                await wake.wait(timeout: configuration.standbyPoll, clock: clock)
                continue
            }
            await lead(token)
        }
    }

    /// One term: renews the lease and sends fires until the lease is lost or beat stops.
    private func lead(_ token: String) async {
        logger.notice("leading", metadata: ["term": "\(token)"])
        term.withLock { $0 = token }
        let writeBack = BeatWriteBack(repository: repository, clock: clock)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.renew(token) }
            group.addTask { await self.writeBackLoop(writeBack) }
            group.addTask { await self.schedule(token: token, writeBack: writeBack) }
            // Whichever ends first (lease lost, stop) ends the term.
            await group.next()
            term.withLock { $0 = nil }
            wake.notify()
            group.cancelAll()
        }
        do { try await writeBack.flush() } catch {
            logger.warning("write-back at the end of the term failed", metadata: ["error": "\(error)"])
        }
        if stopped.current {
            try? await leadership.release(token)
            logger.notice("stopped leading: gave the lease up")
        } else {
            logger.warning("lost the leader lease", metadata: ["term": "\(token)"])
        }
    }

    /// Renews every third of the lease; returns when the lease is lost (someone else holds
    /// it, or Redis has not confirmed it for a whole lease) or beat stops.
    private func renew(_ token: String) async {
        var confirmed = ContinuousClock.now
        while !stopped.current, !Task.isCancelled {
            try? await Task.sleep(for: configuration.lease / 3)
            do {
                guard try await leadership.renew(token) else { return }
                confirmed = ContinuousClock.now
            } catch {
                logger.warning("lease renewal failed", metadata: ["error": "\(error)"])
                if ContinuousClock.now - confirmed >= configuration.lease { return }
            }
        }
    }

    private func writeBackLoop(_ writeBack: BeatWriteBack) async {
        while !stopped.current, !Task.isCancelled {
            try? await clock.sleep(for: configuration.writeBackInterval)
            do { try await writeBack.flush() } catch {
                logger.warning("writing last_run_at back failed; keeping it for the next try", metadata: ["error": "\(error)"])
            }
        }
    }

    /// The leader's loop: load the plan, send what is due, reload on edits.
    private func schedule(token: String, writeBack: BeatWriteBack) async {
        let catchUp = configuration.catchUpWindow.timeInterval
        var plan = BeatPlan(catchUpWindow: catchUp)
        var lastUpdate: Date?
        var fullReloadAt = clock.now
        var nextCheck = clock.now
        /// Fires taken from the plan that Redis has not confirmed yet (an error): sent first.
        var unsent: [BeatPlan.Fire] = []
        while !stopped.current, !Task.isCancelled, term.current == token {
            let now = clock.now
            if now >= nextCheck {
                nextCheck = now.addingTimeInterval(configuration.reloadCheck.timeInterval)
                do {
                    let update = try await repository.lastUpdate()
                    if update != lastUpdate || now >= fullReloadAt || plan.count == 0 && lastUpdate == nil {
                        try await writeBack.flush()
                        let tasks = try await repository.enabledTasks()
                        let before = plan.count
                        for (id, reason) in plan.load(tasks) {
                            logger.warning("periodic task not scheduled", metadata: ["id": "\(id)", "reason": "\(reason)"])
                        }
                        // An empty database is read every second until it has a schedule: quietly.
                        logger.log(
                            level: lastUpdate == nil && plan.count == before ? .debug : .info, "schedules loaded",
                            metadata: ["tasks": "\(plan.count)"])
                        lastUpdate = update
                        fullReloadAt = now.addingTimeInterval(configuration.fullReload.timeInterval)
                    }
                } catch {
                    logger.warning("reading schedules failed; sending from the last ones read", metadata: ["error": "\(error)"])
                }
            }
            let step = plan.take(now: clock.now, limit: max(0, configuration.batchSize - unsent.count))
            if !step.expired.isEmpty { await writeBack.recordExpired(step.expired) }
            unsent += step.fires
            if !unsent.isEmpty {
                switch await send(unsent, token: token, writeBack: writeBack) {
                case .sent: unsent = []
                case .notLeader: return
                case .failed: await wake.wait(timeout: .milliseconds(200), clock: clock)
                }
                if step.fires.count == configuration.batchSize { continue }
            }
            let wakeAt = [plan.nextWake, nextCheck].compactMap { $0 }.min() ?? nextCheck
            let wait = wakeAt.timeIntervalSince(clock.now)
            if wait > 0 { await wake.wait(timeout: .seconds(wait), clock: clock) }
        }
    }

    private enum SendResult { case sent, notLeader, failed }

    /// Sends `fires` fenced by `token`, each under its dedup key and with its derived id.
    private func send(_ fires: [BeatPlan.Fire], token: String, writeBack: BeatWriteBack) async -> SendResult {
        let now = clock.now
        var requests: [TaskPublisher.FencedRequest] = []
        var kept: [(fire: BeatPlan.Fire, id: String)] = []
        for fire in fires {
            let tick = Broker.unixMillis(fire.tick)
            let id = TaskID.derived(from: "celeriac-beat/\(fire.periodicTaskID)/\(tick)")
            do {
                let message = try fire.task.message(sentAt: now)
                requests.append(TaskPublisher.FencedRequest(
                    request: TaskPublisher.Request(
                        task: fire.task.task, args: message.args, kwargs: message.kwargs, options: message.options, id: id),
                    dedupKey: RedisKeys.beatFired(periodicTask: fire.periodicTaskID, tickMillis: tick)))
                kept.append((fire, id))
            } catch {
                // Counted as run, as Celery's beat does when a send fails: the next tick tries again.
                logger.error(
                    "periodic task not sent", metadata: ["id": "\(fire.periodicTaskID)", "error": "\(error.message)"])
            }
        }
        do {
            guard
                let sent = try await publisher.publish(
                    requests, fence: TaskPublisher.Fence(token: token),
                    dedupTTLMilliseconds: Int(configuration.dedupTTL.timeInterval * 1000),
                    outboxEntry: { published in
                        HistoryEntry(
                            enqueued: published.record, at: now, argsrepr: published.argsrepr, kwargsrepr: published.kwargsrepr
                        ).outboxRecord()
                    })
            else {
                term.withLock { if $0 == token { $0 = nil } }
                return .notLeader
            }
            for (index, item) in kept.enumerated() {
                await writeBack.record(item.fire, taskID: item.id, sent: sent[index], at: now)
                logger.debug(
                    sent[index] ? "sent" : "sent before",
                    metadata: ["task": "\(item.fire.task.name)", "tick": "\(CeleryTime.format(item.fire.tick))", "id": "\(item.id)"])
            }
            return .sent
        } catch {
            logger.warning("sending due tasks failed; retrying", metadata: ["error": "\(error)", "count": "\(fires.count)"])
            return .failed
        }
    }
}
