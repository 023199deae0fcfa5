// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacRedis
import CeleriacSystem
import Foundation
import TestSupport
import Testing

@Suite(.enabled(if: TestServices.enabled, "needs the test Redis (make test)"), .redisDatabase(1))
struct BrokerTests {
    let redis: RedisClient
    let broker: Broker
    let publisher: TaskPublisher
    let tasks: TaskStore
    let queue = TestServices.uniqueName("q")
    let worker = TestServices.uniqueName("w")

    init() throws {
        redis = RedisClient(url: try TestServices.redisURL)
        broker = Broker(redis: redis, recordTTLSeconds: 600)
        publisher = TaskPublisher(broker: broker, origin: "test@host")
        tasks = TaskStore(redis: redis, ttlSeconds: 600)
    }

    /// Ends a lease the way a worker's final report does: the API applies the report and
    /// drops the lease in the same script.
    @discardableResult
    func finish(_ lease: Lease) async throws -> TaskStore.Outcome {
        let message = try TaskMessage.decode(lease.raw)
        return try await tasks.apply(TaskReport(
            id: message.id, state: .success, task: message.task, queue: queue, args: message.args, kwargs: message.kwargs,
            worker: worker, pid: 1, timestamp: Date().timeIntervalSince1970, result: "done", lease: lease.token))
    }

    func message(_ id: String = UUID().uuidString.lowercased(), priority: Int = 0) -> (Message, TaskRecord) {
        let request = TaskPublisher.Request(
            task: "celeriac.echo", args: ["hi"], options: TaskOptions(queue: queue, priority: priority), id: id)
        return (Message(id: id, request: request), TaskRecord(id: id, task: "celeriac.echo", state: .pending, args: ["hi"], queue: queue))
    }

    /// A task to publish, and its id.
    struct Message {
        let id: String
        let request: TaskPublisher.Request
    }

    /// Publishes through the one publisher; `record` is what it writes (the tests read it back).
    @discardableResult
    func publish(_ message: Message, record: TaskRecord) async throws -> Broker.PublishOutcome {
        try await publisher.publish(message.request).outcome
    }

    @Test func publishPushesAKombuMessageAndARecord() async throws {
        let (message, record) = message()
        #expect(try await publish(message, record: record) == .published(queueLength: 1))
        let raw = try #require(try await redis.command("LINDEX", queue, "0").bytes)
        let decoded = try TaskMessage.decode(raw)
        #expect(decoded.id == message.id && decoded.task == "celeriac.echo")
        #expect(try await redis.command("HGET", RedisKeys.task(record.id), "state").string == "PENDING")
        let ttl = try #require(try await redis.command("TTL", RedisKeys.task(record.id)).integer)
        #expect(ttl > 0 && ttl <= 600)
        // kombu's binding table, so a Celery worker's fanout/route lookups see the queue.
        #expect(try await redis.command("SISMEMBER", RedisKeys.bindingSet, RedisKeys.bindingMember(queue)).integer == 1)
        _ = try await redis.command("DEL", queue, RedisKeys.task(record.id))
        // A queue emptied and unbound (kombu's queue_delete) is bound again by its next task.
        _ = try await redis.command("SREM", RedisKeys.bindingSet, RedisKeys.bindingMember(queue))
        _ = try await redis.command("SREM", RedisKeys.permanentBindingSet, RedisKeys.bindingMember(queue))
        let (again, againRecord) = self.message()
        #expect(try await publish(again, record: againRecord) == .published(queueLength: 1))
        #expect(try await redis.command("SISMEMBER", RedisKeys.bindingSet, RedisKeys.bindingMember(queue)).integer == 1)
        #expect(try await redis.command("SISMEMBER", RedisKeys.permanentBindingSet, RedisKeys.bindingMember(queue)).integer == 1)
        _ = try await redis.command("DEL", queue, RedisKeys.task(againRecord.id))
    }

    @Test func aPublishRedisRefusesLeavesNoRecordBehind() async throws {
        // A queue key holding a string: LPUSH fails inside the transaction, the rest runs.
        _ = try await redis.command("SET", queue, "not a list")
        let (message, record) = message()
        await #expect(throws: RedisError.self) { try await publish(message, record: record) }
        #expect(try await redis.command("EXISTS", RedisKeys.task(record.id)).integer == 0)
        #expect(try await redis.command("GET", queue).string == "not a list")
        // The connection goes on: its replies are still in step.
        _ = try await redis.command("DEL", queue)
        let (next, nextRecord) = self.message()
        #expect(try await publish(next, record: nextRecord) == .published(queueLength: 1))
        _ = try await redis.command("DEL", queue, RedisKeys.task(nextRecord.id))
    }

    @Test func transactionsFromManyCallersStayInStep() async throws {
        // Publishes from many tasks share the connection's pipeline; each must get its own
        // EXEC's reply (queue lengths 1...n, each once).
        let lengths = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    let (m, r) = self.message()
                    guard case .published(let length) = try await publish(m, record: r) else { return -1 }
                    return length
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(lengths.sorted() == Array(1...200))
        _ = try await redis.command("DEL", queue)
    }

    func claim(_ limit: Int, keys: [String]? = nil, leaseMilliseconds: Int = 30_000) async throws -> [Lease] {
        try await broker.claim(
            worker: worker, queueKeys: keys ?? [queue], limit: limit, leaseMilliseconds: leaseMilliseconds)
    }

    @Test func claimLeasesOldestFirstAndTheFinalReportEndsTheLease() async throws {
        var ids: [String] = []
        for _ in 0..<3 {
            let (m, r) = message()
            ids.append(m.id)
            try await publish(m, record: r)
        }
        let first = try await claim(2)
        #expect(try first.map { try TaskMessage.decode($0.raw).id } == Array(ids.prefix(2)))
        #expect(try await redis.command("LLEN", queue).integer == 1)
        #expect(Set(try await broker.leases(worker: worker)) == Set(first.map(\.token)))
        // Fencing tokens only grow, and the task record names its current lease.
        #expect(Int(first[1].token)! > Int(first[0].token)!)
        #expect(try await redis.command("HGET", RedisKeys.task(ids[0]), "lease").string == first[0].token)
        #expect(try await redis.command("ZSCORE", RedisKeys.leases, first[0].token) != .null)
        // The message moved under the lease (not copied): the lease hash holds no bytes of it.
        #expect(try await redis.command("LINDEX", RedisKeys.leaseMessage(first[0].token), "0").bytes == first[0].raw)
        #expect(try await redis.command("HEXISTS", RedisKeys.lease(first[0].token), "message").integer == 0)
        for lease in first { #expect(try await finish(lease) == .applied) }
        #expect(try await broker.leases(worker: worker).isEmpty)
        #expect(try await redis.command("ZSCORE", RedisKeys.leases, first[0].token) == .null)
        #expect(try await redis.command("EXISTS", RedisKeys.lease(first[0].token), RedisKeys.leaseMessage(first[0].token)).integer == 0)
        let rest = try await claim(10)
        #expect(try rest.map { try TaskMessage.decode($0.raw).id } == [ids[2]])
        try await finish(rest[0])
        #expect(try await claim(10).isEmpty)
        for id in ids { _ = try await redis.command("DEL", RedisKeys.task(id)) }
    }

    @Test func higherPriorityListsAreServedFirst() async throws {
        let (low, lowRecord) = message(priority: 9)
        let (high, highRecord) = message(priority: 0)
        try await publish(low, record: lowRecord)
        try await publish(high, record: highRecord)
        let leases = try await claim(2, keys: RedisKeys.pollOrder([queue]))
        #expect(try leases.map { try TaskMessage.decode($0.raw).id } == [high.id, low.id])
        #expect(leases.map(\.queueKey) == [queue, RedisKeys.queue(queue, priority: 9)])
        for lease in leases { try await finish(lease) }
    }

    @Test func aClaimPipelinedBehindAWaitRunsWhenAMessageArrives() async throws {
        let waiting = RedisClient(url: try TestServices.redisURL, name: "wait-claim", timeout: .seconds(30))
        // Nothing queued: the wait times out and the claim behind it finds nothing.
        let none = try await broker.waitThenClaim(
            on: waiting, key: queue, seconds: 0.1, worker: worker, queueKeys: [queue], limit: 4, leaseMilliseconds: 30_000)
        #expect(none.isEmpty)
        // Blocks for up to 20 s; it comes back with a lease only if the claim ran behind the
        // wait as soon as the message below arrived.
        let began = ContinuousClock.now
        async let claimed = broker.waitThenClaim(
            on: waiting, key: queue, seconds: 20, worker: worker, queueKeys: RedisKeys.pollOrder([queue]), limit: 4,
            leaseMilliseconds: 30_000)
        try await Task.sleep(for: .milliseconds(200))
        let (m, r) = message()
        try await publish(m, record: r)
        let leases = try await claimed
        #expect(ContinuousClock.now - began < .seconds(10))
        #expect(try leases.map { try TaskMessage.decode($0.raw).id } == [m.id])
        #expect(try await redis.command("LLEN", queue).integer == 0)
        #expect(Set(try await broker.leases(worker: worker)) == Set(leases.map(\.token)))
        for lease in leases { try await finish(lease) }
    }

    @Test func releaseReturnsToTheConsumingEndWithoutACrash() async throws {
        let (a, ar) = message()
        let (b, br) = message()
        try await publish(a, record: ar)
        try await publish(b, record: br)
        let leases = try await claim(1)
        #expect(try await broker.release(tokens: leases.map(\.token)) == 1)
        #expect(try await broker.leases(worker: worker).isEmpty)
        #expect(try await redis.command("HGET", RedisKeys.task(a.id), "crashes") == .null)
        #expect(try await redis.command("HGET", RedisKeys.task(a.id), "lease").string == "released")
        // a was taken and given back: it is again the next one out, ahead of b.
        let again = try await claim(2)
        #expect(try again.map { try TaskMessage.decode($0.raw).id } == [a.id, b.id])
        #expect(again[0].crashes == 0)
        for lease in again { try await finish(lease) }
    }

    @Test func expiredLeasesAreReapedAndCountedAsCrashes() async throws {
        let (m, r) = message()
        try await publish(m, record: r)
        let lease = try #require(try await claim(1, leaseMilliseconds: 1).first)
        try await Task.sleep(for: .milliseconds(20))
        // Any worker's reaper may get there first (tests share Redis): check the outcome.
        try await broker.reap(deadAfterMilliseconds: 3_600_000)
        #expect(try await redis.command("LLEN", queue).integer == 1)
        #expect(try await redis.command("HGET", RedisKeys.task(m.id), "crashes").string == "1")
        #expect(try await redis.command("HGET", RedisKeys.task(m.id), "lease").string == "lost")
        // The lost attempt's renewal reports it gone; the next claim knows the crash count.
        #expect(try await broker.renew(worker: worker, tokens: [lease.token], leaseMilliseconds: 30_000) == [lease.token])
        let next = try #require(try await claim(1).first)
        #expect(next.crashes == 1 && next.token != lease.token)
        try await finish(next)
        #expect(try await finish(lease) == .fenced)  // the reaped attempt can neither report nor end a lease
        #expect(try await broker.leases(worker: worker).isEmpty)
    }

    @Test func aRestartedWorkerGetsItsPreviousLeasesBackAtOnce() async throws {
        let (m, r) = message()
        try await publish(m, record: r)
        _ = try await claim(1)
        let returned = try await broker.reap(deadAfterMilliseconds: 3_600_000, worker: worker)
        #expect(returned.contains(m.id))  // plus any expired lease of other tests
        #expect(try await broker.leases(worker: worker).isEmpty)
        #expect(try await redis.command("ZSCORE", RedisKeys.workers, worker) == .null)
        let again = try #require(try await claim(1).first)
        #expect(again.crashes == 1)
        try await finish(again)
    }

    @Test func renewExtendsHeldLeases() async throws {
        let (m, r) = message()
        try await publish(m, record: r)
        let lease = try #require(try await claim(1, leaseMilliseconds: 5_000).first)
        let before = try #require(Double(try await redis.command("ZSCORE", RedisKeys.leases, lease.token).string ?? ""))
        #expect(try await broker.renew(worker: worker, tokens: [lease.token], leaseMilliseconds: 60_000).isEmpty)
        let after = try #require(Double(try await redis.command("ZSCORE", RedisKeys.leases, lease.token).string ?? ""))
        #expect(after > before + 50_000)
        #expect(try await redis.command("ZSCORE", RedisKeys.workers, worker) != .null)
        try await finish(lease)
    }

    @Test func aLargeClaimLeasesEveryMessage() async throws {
        // More tokens than one variadic ZADD/SADD slice of the claim script takes.
        let count = 1_100
        let messages = (0..<count).map { Array("m\($0)".utf8) }
        _ = try await redis.command([Array("LPUSH".utf8), Array(queue.utf8)] + messages)
        let leases = try await claim(count)
        #expect(leases.map(\.raw) == messages)
        #expect(Set(try await broker.leases(worker: worker)) == Set(leases.map(\.token)))
        #expect(try await redis.command("ZSCORE", RedisKeys.leases, leases[count - 1].token) != .null)
        #expect(try await broker.release(tokens: leases.map(\.token)) == count)
        #expect(try await redis.command("LLEN", queue).integer == Int64(count))
        _ = try await redis.command("DEL", queue)
    }

    @Test func deadLetterKeepsTheMessageAndTheReason() async throws {
        let garbage = Array("{not json".utf8)
        _ = try await redis.command([Array("LPUSH".utf8), Array(queue.utf8), garbage])
        let lease = try #require(try await claim(1).first)
        try await broker.deadLetter(worker: worker, lease: lease, reason: "test: malformed", at: Date())
        #expect(try await broker.leases(worker: worker).isEmpty)
        #expect(try await redis.command("ZSCORE", RedisKeys.leases, lease.token) == .null)
        let entries = try await redis.command("LRANGE", RedisKeys.deadLetters, "0", "50").array ?? []
        let mine = entries.compactMap { $0.bytes.flatMap { try? JSONValue.parse($0) } }
            .first { $0["worker"]?.stringValue == worker }
        #expect(mine?["reason"]?.stringValue == "test: malformed")
        #expect(mine?["message"]?.stringValue == "{not json")
    }

    /// Parked tasks reach their queue once, however many movers run at once, and only when due.
    @Test func moversQueueEachDueTaskOnceAndNoneEarly() async throws {
        let now = Date()
        var ids: [String] = []
        for index in 0..<200 {
            let id = UUID().uuidString.lowercased()
            ids.append(id)
            // Half due a second ago, half in an hour.
            let eta = now.addingTimeInterval(index % 2 == 0 ? 3600 : -1)
            let request = TaskPublisher.Request(task: "celeriac.echo", options: TaskOptions(queue: queue, eta: eta), id: id)
            // Published a little earlier, so even the overdue ones were parked.
            let early = TaskPublisher(broker: broker, clock: FixedClock(now: now.addingTimeInterval(-10)))
            #expect(try await early.publish(request).outcome == .parked)
        }
        let movers = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 { group.addTask { try await self.broker.moveDue(now: now, limit: 30).moved } }
            for _ in 0..<4 { group.addTask { try await self.broker.moveDue(now: now, limit: 1000).moved } }
            return try await group.reduce(0, +)
        }
        #expect(movers == 100)
        #expect(try await redis.command("LLEN", queue).integer == 100)
        #expect(try await redis.command("ZCARD", RedisKeys.scheduled).integer == 100)
        let queued = try #require(try await redis.command("LRANGE", queue, "0", "-1").array)
        let queuedIDs = try Set(queued.map { try TaskMessage.decode(try #require($0.bytes)).id })
        #expect(queuedIDs == Set(ids.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)))
        // The next due time is the hour's.
        let next = try #require(try await broker.moveDue(now: now, limit: 10).next)
        #expect(abs(next.timeIntervalSince(now) - 3600) < 1)
        _ = try await redis.command("DEL", queue, RedisKeys.scheduled)
    }

    /// A fixed instant, for publishing "earlier".
    struct FixedClock: WallClock {
        let now: Date
        func sleep(until deadline: Date) async throws {}
    }
}
