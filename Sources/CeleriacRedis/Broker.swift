// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A message leased to one worker: its final report must be accepted (which ends the lease),
/// or it must be given back, before the lease expires, or the reaper returns it to its queue
/// and counts a crash.
public struct Lease: Sendable {
    public let queueKey: String
    public let raw: [UInt8]
    /// Fencing token: reports of this attempt carry it; the API rejects any other attempt's.
    public let token: String
    /// How many earlier attempts ended with their worker gone.
    public let crashes: Int
}

/// Queues on kombu's Redis layout: publish; leased claim, renew, release, reap; dead-letter.
/// (A lease ends when the API applies the attempt's final report: ``TaskStore/apply(_:)``.)
/// The key layout and each script are described in docs/delivery.md.
public struct Broker: Sendable {
    public let redis: RedisClient
    /// How long task records and result keys live (Celery's `result_expires`, 1 day).
    public let recordTTLSeconds: Int
    /// Most dead-letter entries kept.
    public static let deadLetterLimit = 10_000

    public init(redis: RedisClient, recordTTLSeconds: Int = 86_400) {
        self.redis = redis
        self.recordTTLSeconds = recordTTLSeconds
    }

    /// What ``publish(envelope:queue:priority:record:idempotency:holdSeconds:parkUntil:)`` did.
    public enum PublishOutcome: Sendable, Equatable {
        /// Queued; the queue list's length after the push.
        case published(queueLength: Int)
        /// Parked in `celeriac:scheduled` until its ETA; a mover queues it then.
        case parked
        /// The idempotency key was used before for the same request: nothing queued.
        case duplicate(taskID: String)
        /// The idempotency key was used before for a different request: nothing queued.
        case conflict(taskID: String)
    }

    /// An `Idempotency-Key` and the request it stands for.
    public struct Idempotency: Sendable {
        public var key: String
        /// The request in a canonical form: equal requests give equal text.
        public var canonicalRequest: String
        public var ttlSeconds: Int
        public init(key: String, canonicalRequest: String, ttlSeconds: Int = 86_400) {
            self.key = key
            self.canonicalRequest = canonicalRequest
            self.ttlSeconds = ttlSeconds
        }
    }

    /// Publishes an encoded envelope (``TaskMessage/envelope(_:)``) on `queue`'s list for
    /// `priority` and stores `record`, atomically. Callers publish through ``TaskPublisher``,
    /// which builds both.
    /// - Parameters:
    ///   - holdSeconds: how long the task may wait before it runs (its countdown): the record
    ///     is kept that much longer than ``recordTTLSeconds``, so it is there when it starts.
    ///   - parkUntil: a due time (Unix ms): the message waits in `celeriac:scheduled` instead
    ///     of its queue, and a ``ScheduledMover`` queues it then.
    @discardableResult
    public func publish(
        envelope: [UInt8], queue: String, priority: Int, record: TaskRecord, idempotency: Idempotency? = nil,
        holdSeconds: Int = 0, parkUntil: Int64? = nil
    ) async throws -> PublishOutcome {
        let item = BatchItem(
            envelope: envelope, queue: queue, priority: priority, record: record, idempotency: idempotency,
            holdSeconds: holdSeconds, parkUntil: parkUntil)
        guard idempotency != nil else { return try await publishTransaction([item])[0] }
        let call = enqueueOnceCall(item)
        return Self.enqueueOnceOutcome(try await redis.run(.enqueueOnce, keys: call.keys, rawArgs: call.args), parked: parkUntil != nil)
    }

    /// Queues the parked tasks due at `now` (up to `limit`), at the consuming end of their
    /// queues. Any number of movers may run: each task is moved once.
    /// - Returns: how many were moved, and when the next one is due (nil: none parked).
    public func moveDue(now: Date, limit: Int = 1000) async throws -> (moved: Int, next: Date?) {
        let reply = try await redis.run(
            .moveDue, keys: [RedisKeys.scheduled], args: [String(Self.unixMillis(now)), String(limit)])
        let parts = reply.array ?? []
        let moved = Int(parts.first?.integer ?? 0)
        let next = (parts.count > 1 ? parts[1].string : nil).flatMap(Double.init).map { Date(timeIntervalSince1970: $0 / 1000) }
        return (moved, next)
    }

    /// Takes a leased message whose ETA is still ahead off the worker and parks it in
    /// `celeriac:scheduled` until then, in one step: nothing holds an ETA task in memory.
    /// With `replacement`, parks that message instead (a retry's next attempt).
    /// - Returns: false when the lease was gone (reaped: its message is back in the queue).
    @discardableResult
    public func park(_ lease: Lease, worker: String, until due: Date, replacement: String? = nil) async throws -> Bool {
        var args = [lease.token, String(Self.unixMillis(due)), lease.queueKey]
        if let replacement { args.append(replacement) }
        let reply = try await redis.run(
            .parkLease, keys: [RedisKeys.leases, RedisKeys.workerLeases(worker), RedisKeys.scheduled], args: args)
        return reply.integer == 1
    }

    /// A time as Unix milliseconds, the unit of `celeriac:scheduled`'s scores.
    public static func unixMillis(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.up))
    }

    /// What went wrong in a transaction's reply: the error it holds, or its shape.
    static func failure(in reply: RESPValue) -> String {
        switch reply {
        case .error(let message): message
        case .array(let results):
            results.lazy.compactMap { if case .error(let message) = $0 { message } else { nil } }.first
                ?? "no queue length in \(results)"
        default: "unexpected reply \(reply)"
        }
    }

    /// Takes up to `limit` messages from `queueKeys` (in poll order) and leases each to
    /// `worker` for `leaseMilliseconds`, in one atomic step.
    /// - Parameter queueCount: how many queues `queueKeys` are the priority lists of
    ///   (``QueueCycle/pollOrder``): with more than one, each message's queue moves to the end
    ///   of the order for the next (kombu's cycle); with one, the lists are taken in order.
    public func claim(worker: String, queueKeys: [String], queueCount: Int = 1, limit: Int, leaseMilliseconds: Int)
        async throws -> [Lease]
    {
        let (keys, args) = claimParameters(
            worker: worker, queueKeys: queueKeys, queueCount: queueCount, limit: limit, leaseMilliseconds: leaseMilliseconds)
        return Self.leases(in: try await redis.run(.claimLeased, keys: keys, args: args))
    }

    /// Waits up to `seconds` for a message on `key` like ``waitForMessage(on:key:seconds:)``,
    /// then claims like ``claim(worker:queueKeys:queueCount:limit:leaseMilliseconds:)`` in the same round
    /// trip: Redis runs the claim the moment the wait returns. `client` is blocked meanwhile:
    /// use a dedicated one.
    public func waitThenClaim(
        on client: RedisClient, key: String, seconds: Double, worker: String, queueKeys: [String], queueCount: Int = 1,
        limit: Int, leaseMilliseconds: Int
    ) async throws -> [Lease] {
        let (keys, args) = claimParameters(
            worker: worker, queueKeys: queueKeys, queueCount: queueCount, limit: limit, leaseMilliseconds: leaseMilliseconds)
        let wait = Self.waitCommand(key: key, seconds: seconds).map { Array($0.utf8) }
        return Self.leases(in: try await client.run(after: wait, .claimLeased, keys: keys, args: args))
    }

    private func claimParameters(worker: String, queueKeys: [String], queueCount: Int, limit: Int, leaseMilliseconds: Int)
        -> (keys: [String], args: [String])
    {
        (
            [RedisKeys.fence, RedisKeys.leases, RedisKeys.workerLeases(worker), RedisKeys.workers] + queueKeys,
            [worker, String(limit), String(leaseMilliseconds), String(recordTTLSeconds), String(max(1, queueCount))]
        )
    }

    /// The claim script's reply: flat (queue key, message, token, crashes) quadruples.
    private static func leases(in reply: RESPValue) -> [Lease] {
        guard let items = reply.array else { return [] }
        var leases: [Lease] = []
        leases.reserveCapacity(items.count / 4)
        var index = 0
        while index + 3 < items.count {
            if let key = items[index].string, let raw = items[index + 1].bytes, let token = items[index + 2].string {
                leases.append(Lease(queueKey: key, raw: raw, token: token, crashes: Int(items[index + 3].integer ?? 0)))
            }
            index += 4
        }
        return leases
    }

    /// Extends `tokens` and records `worker` alive.
    /// - Returns: the tokens no longer leased (reaped while this worker was silent).
    public func renew(worker: String, tokens: [String], leaseMilliseconds: Int) async throws -> [String] {
        let reply = try await redis.run(
            .renewLeases, keys: [RedisKeys.leases, RedisKeys.workers],
            args: [worker, String(leaseMilliseconds)] + tokens)
        return reply.array?.compactMap(\.string) ?? []
    }

    /// Records `worker` alive.
    public func heartbeat(worker: String) async throws {
        try await redis.run(.heartbeat, keys: [RedisKeys.workers], args: [worker])
    }

    /// Gives leases back to their queues without counting a crash (graceful shutdown).
    @discardableResult
    public func release(tokens: [String]) async throws -> Int {
        guard !tokens.isEmpty else { return 0 }
        return Int(try await redis.run(.releaseLeases, keys: [], args: tokens).integer ?? 0)
    }

    /// Returns expired leases, and all leases of workers silent for `deadAfterMilliseconds`
    /// (and of `worker`, when given: a restarted worker's previous run), to their queues.
    /// - Returns: the ids of the tasks returned.
    @discardableResult
    public func reap(deadAfterMilliseconds: Int, limit: Int = 100, worker: String? = nil) async throws -> [String] {
        var args = [String(deadAfterMilliseconds), String(limit)]
        if let worker { args.append(worker) }
        let reply = try await redis.run(.reapLeases, keys: [RedisKeys.leases, RedisKeys.workers], args: args)
        return reply.array?.compactMap(\.string) ?? []
    }

    /// Tokens of the leases `worker` holds.
    public func leases(worker: String) async throws -> [String] {
        try await redis.command("SMEMBERS", RedisKeys.workerLeases(worker)).array?.compactMap(\.string) ?? []
    }

    /// Moves an unreadable message to `celeriac:dead` with the reason, so it is kept for a
    /// human and never retried in a loop.
    public func deadLetter(worker: String, lease: Lease, reason: String, at date: Date) async throws {
        let entry = JSONValue.object([
            "reason": .string(reason), "worker": .string(worker), "at": .string(CeleryTime.format(date)),
            "message": .string(String(decoding: lease.raw, as: UTF8.self)),
        ]).jsonText
        try await redis.run(
            .deadLetterLease, keys: [RedisKeys.leases, RedisKeys.workerLeases(worker), RedisKeys.deadLetters],
            args: [lease.token, entry, String(Self.deadLetterLimit)])
    }

    /// Waits up to `seconds` for `key` to hold a message, without taking it (`BLMOVE` of the
    /// list onto itself leaves it unchanged). Use a dedicated client: this blocks its connection.
    /// - Returns: true when the list is non-empty.
    public static func waitForMessage(on client: RedisClient, key: String, seconds: Double) async throws -> Bool {
        let reply = try await client.command(waitCommand(key: key, seconds: seconds).map { Array($0.utf8) })
        return reply != .null
    }

    /// `BLMOVE` of the list onto itself: returns when it is non-empty, taking nothing.
    private static func waitCommand(key: String, seconds: Double) -> [String] {
        ["BLMOVE", key, key, "RIGHT", "RIGHT", String(seconds)]
    }
}
