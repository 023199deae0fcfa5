// Celeriac — a Celery-compatible job service in Swift.

import CeleriacBeat
import CeleriacCore
import CeleriacPostgres
import CeleriacRedis
import CeleriacSystem
import Foundation
import Logging
import TestSupport
import Testing

/// Beat processes (in this process) against the test Redis and a fresh PostgreSQL database:
/// what it sends, what it writes back, reloads, one-off and expired tasks, two beats at once.
// Serialized: the tests' beats would otherwise contend for the one leader lease.
@Suite(.enabled(if: TestServices.enabled, "needs the test Redis and PostgreSQL (make test)"), .redisDatabase(23), .serialized)
struct BeatTests {
    struct Fixture {
        let redis: RedisClient
        let postgres: PostgresClient
        let tasks: PeriodicTaskRepository
        let databaseURL: String

        static func make() async throws -> Fixture {
            let url = try await TestDatabase.create()
            let postgres = PostgresClient(url: url, size: 2)
            try await Migrator(client: postgres).migrate()
            return Fixture(
                redis: RedisClient(url: try TestServices.redisURL), postgres: postgres,
                tasks: PeriodicTaskRepository(client: postgres), databaseURL: url)
        }

        func beat(_ name: String, clock: any WallClock = SystemClock()) throws -> Beat {
            var configuration = BeatConfiguration(name: name, redisURL: try TestServices.redisURL, databaseURL: databaseURL)
            // Long enough that a loaded host's late renewal never hands the lease over; the
            // handover test stops its leader, which gives the lease up at once.
            configuration.lease = .seconds(5)
            configuration.standbyPoll = .milliseconds(100)
            configuration.writeBackInterval = .milliseconds(300)
            var logger = Logger(label: "beat-test")
            logger.logLevel = .warning
            return Beat(configuration: configuration, clock: clock, logger: logger)
        }

        func create(_ json: JSONValue, now: Date = Date()) async throws -> PeriodicTask {
            try await tasks.create(try PeriodicTaskDraft(json: json), now: now)
        }

        /// Task ids of the messages on `queue`, oldest first.
        func sent(_ queue: String) async throws -> [String] {
            let items = try await redis.command("LRANGE", queue, "0", "-1").array ?? []
            return items.reversed().compactMap { item in
                item.string.flatMap { try? JSONValue.parse(Array($0.utf8)) }?["headers"]?["id"]?.stringValue
            }
        }
    }

    /// Polls `condition` every 50 ms for up to `seconds`.
    static func eventually(_ seconds: Double, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    @Test func sendsEachTickOnceWritesBackAndPicksUpAnEditWithinTwoSeconds() async throws {
        let fixture = try await Fixture.make()
        let queue = TestServices.uniqueName("beat-every")
        let task = try await fixture.create([
            "name": "every second", "task": "celeriac.echo", "interval": ["every": 1, "period": "seconds"],
            "queue": .string(queue), "kwargs": ["n": 1], "headers": ["x-team": "ops"], "priority": 3,
            "expire_seconds": 30,
        ])
        let beat = try fixture.beat("solo")
        let running = Task { try await beat.run() }
        defer { beat.stop() }
        let priorityQueue = RedisKeys.queue(queue, priority: 3)
        #expect(try await Self.eventually(5) { try await fixture.sent(priorityQueue).count >= 3 })
        let ids = try await fixture.sent(priorityQueue)
        #expect(Set(ids).count == ids.count)
        // The message carries the row's options, as Celery's DatabaseScheduler sends them.
        let raw = try #require(try await fixture.redis.command("LINDEX", priorityQueue, "-1").string)
        let message = try JSONValue.parse(Array(raw.utf8))
        #expect(message["headers"]?["periodic_task_name"] == "every second")
        #expect(message["headers"]?["x-team"] == "ops")
        #expect(message["headers"]?["expires"]?.stringValue != nil)
        #expect(message["properties"]?["priority"]?.intValue == 3)
        // Written back: last_run_at on the grid, the count, the last send with its task id.
        #expect(try await Self.eventually(3) {
            let stored = try await fixture.tasks.get(id: task.id)
            return (stored?.totalRunCount ?? 0) >= 3 && stored?.lastRunAt != nil
        })
        let lastRun = try #require(try await BeatRepository(client: fixture.postgres).lastRun(of: task.id))
        #expect(ids.contains(lastRun.taskID))
        // Ticks on the grid: whole seconds after the task was saved, however late each send.
        let offset = lastRun.scheduledFor.timeIntervalSince(task.dateChanged)
        #expect(abs(offset - offset.rounded()) < 0.001)
        // An edit (disable) through the repository, as the API and Django's admin make it:
        // nothing more is sent once it is picked up (within 2 s: the interop test holds it to that).
        let draft = try PeriodicTaskDraft(json: try PeriodicTaskDraft.merged(task.json(), patch: ["enabled": false]))
        _ = try await fixture.tasks.update(id: task.id, to: draft, now: Date())
        try await Task.sleep(for: .milliseconds(2500))  // 2 s, and slack for a loaded CI host
        let settled = try await fixture.sent(priorityQueue).count
        try await Task.sleep(for: .milliseconds(1500))
        #expect(try await fixture.sent(priorityQueue).count == settled)
        beat.stop()
        try await running.value
    }

    /// The README's example, Wednesdays 01:30 in Seoul, with the beat's clock moved by hand
    /// to the Tuesday 16:30 UTC that is that instant.
    @Test func theReadmesWeeklyLoadFiresOnTime() async throws {
        let fixture = try await Fixture.make()
        let clock = ManualClock(now: try RFC3339.parse("2026-12-08T16:29:58Z"))
        let task = try await fixture.create([
            "name": "weekly-load", "task": "loads.weekly",
            "crontab": ["minute": "30", "hour": "1", "day_of_week": "3", "timezone": "Asia/Seoul"],
        ], now: clock.now)
        let beat = try fixture.beat("weekly", clock: clock)
        let running = Task { try await beat.run() }
        #expect(try await Self.eventually(5) { beat.isLeader })
        try await clock.waitForSleepers(2)  // the send loop and the write-back
        clock.advance(by: 1.5)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await fixture.sent("celery").isEmpty)
        clock.advance(by: 0.5)
        #expect(try await Self.eventually(3) { try await fixture.sent("celery").count == 1 })
        let tick = Int64(try RFC3339.parse("2026-12-09T01:30:00+09:00").timeIntervalSince1970 * 1000)
        #expect(try await fixture.redis.command("EXISTS", RedisKeys.beatFired(periodicTask: task.id, tickMillis: tick)).integer == 1)
        clock.advance(by: 3600)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await fixture.sent("celery").count == 1)
        beat.stop()
        try await running.value
    }

    @Test func aOneOffClockedTaskFiresOnceAndAnExpiredOneIsDisabledUnsent() async throws {
        let fixture = try await Fixture.make()
        let queue = TestServices.uniqueName("beat-once")
        let soon = CeleryTime.format(Date().addingTimeInterval(1))
        let once = try await fixture.create([
            "name": "once", "task": "celeriac.echo", "clocked": ["clocked_time": .string(soon)], "one_off": true,
            "queue": .string(queue),
        ])
        let expired = try await fixture.create([
            "name": "expired", "task": "celeriac.echo", "interval": ["every": 1, "period": "seconds"],
            "queue": .string(queue), "expires": .string(CeleryTime.format(Date().addingTimeInterval(0.5))),
        ])
        let beat = try fixture.beat("once")
        let running = Task { try await beat.run() }
        #expect(try await Self.eventually(5) { try await fixture.tasks.get(id: once.id)?.enabled == false })
        #expect(try await Self.eventually(3) { try await fixture.tasks.get(id: expired.id)?.enabled == false })
        try await Task.sleep(for: .seconds(1))
        #expect(try await fixture.sent(queue).count == 1)
        let stored = try #require(try await fixture.tasks.get(id: once.id))
        // As django-celery-beat leaves a one-off task that ran.
        #expect(stored.totalRunCount == 0 && stored.lastRunAt == nil)
        #expect(try await BeatRepository(client: fixture.postgres).lastRun(of: once.id) != nil)
        #expect(try await BeatRepository(client: fixture.postgres).lastRun(of: expired.id) == nil)
        beat.stop()
        try await running.value
    }

    @Test func twoBeatsSendEachTickOnceAndTheStandbyTakesOver() async throws {
        let fixture = try await Fixture.make()
        let queue = TestServices.uniqueName("beat-two")
        _ = try await fixture.create([
            "name": "every second", "task": "celeriac.echo", "interval": ["every": 1, "period": "seconds"],
            "queue": .string(queue),
        ])
        let (a, b) = (try fixture.beat("a"), try fixture.beat("b"))
        let runningA = Task { try await a.run() }
        let runningB = Task { try await b.run() }
        #expect(try await Self.eventually(5) { a.isLeader || b.isLeader })
        #expect(!(a.isLeader && b.isLeader))
        let (leader, standby) = a.isLeader ? (a, b) : (b, a)
        try await Task.sleep(for: .seconds(2))
        // The leader stops (and gives its lease up): the standby takes over.
        leader.stop()
        #expect(try await Self.eventually(3) { standby.isLeader })
        try await Task.sleep(for: .seconds(2))
        standby.stop()
        try await runningA.value
        try await runningB.value
        let ids = try await fixture.sent(queue)
        #expect(ids.count >= 4)
        #expect(Set(ids).count == ids.count, "a tick was sent twice")
    }
}
