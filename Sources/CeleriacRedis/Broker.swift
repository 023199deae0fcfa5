// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
public import Foundation

/// A message a worker took off a queue; `raw` is byte-for-byte what sits in its claim list.
public struct ClaimedMessage: Sendable {
    public let queueKey: String
    public let raw: [UInt8]
}

/// Queues on kombu's Redis layout: publish, claim, acknowledge, dead-letter.
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

    /// Publishes `message` on its queue and priority list and stores `record`, atomically.
    /// - Returns: the queue list's length after the push.
    @discardableResult
    public func publish(_ message: TaskMessage, record: TaskRecord) async throws -> Int {
        let queue = message.queue ?? EnqueueRequest.defaultQueue
        var args = [message.encoded(), String(recordTTLSeconds), RedisKeys.bindingMember(queue)]
        for (field, value) in record.hashFields() { args += [field, value] }
        let reply = try await redis.run(
            .enqueue,
            keys: [
                RedisKeys.queue(queue, priority: message.priority), RedisKeys.task(record.id), RedisKeys.bindingSet,
                RedisKeys.permanentBindingSet,
            ], args: args)
        return Int(reply.integer ?? 0)
    }

    /// Moves up to `limit` messages from `queueKeys` (in poll order) to the worker's claim list.
    public func claim(worker: String, queueKeys: [String], limit: Int) async throws -> [ClaimedMessage] {
        let reply = try await redis.run(
            .claim, keys: [RedisKeys.claim(worker: worker)] + queueKeys, args: [String(limit)])
        guard let items = reply.array else { return [] }
        var claimed: [ClaimedMessage] = []
        claimed.reserveCapacity(items.count / 2)
        var index = 0
        while index + 1 < items.count {
            if let key = items[index].string, let raw = items[index + 1].bytes {
                claimed.append(ClaimedMessage(queueKey: key, raw: raw))
            }
            index += 2
        }
        return claimed
    }

    /// Removes a finished message from the worker's claim list.
    public func acknowledge(worker: String, raw: [UInt8]) async throws {
        try await redis.command([Array("LREM".utf8), Array(RedisKeys.claim(worker: worker).utf8), Array("1".utf8), raw])
    }

    /// Moves an unreadable message to `celeriac:dead` with the reason, so it is kept for a
    /// human and never retried in a loop.
    public func deadLetter(worker: String, raw: [UInt8], reason: String, at date: Date) async throws {
        let entry = JSONValue.object([
            "reason": .string(reason), "worker": .string(worker), "at": .string(CeleryTime.format(date)),
            "message": .string(String(decoding: raw, as: UTF8.self)),
        ]).jsonText
        try await redis.run(
            .deadLetter, keys: [RedisKeys.claim(worker: worker), RedisKeys.deadLetters],
            rawArgs: [raw, Array(entry.utf8), Array(String(Self.deadLetterLimit).utf8)])
    }

    /// Messages left in a worker's claim list (by an earlier run that crashed).
    public func claimed(worker: String) async throws -> [[UInt8]] {
        try await redis.command("LRANGE", RedisKeys.claim(worker: worker), "0", "-1").array?.compactMap(\.bytes) ?? []
    }

    /// Returns a claimed message to the consuming end of `queueKey`.
    public func requeue(worker: String, raw: [UInt8], queueKey: String) async throws {
        try await redis.run(.requeueClaimed, keys: [RedisKeys.claim(worker: worker), queueKey], rawArgs: [raw])
    }

    /// Waits up to `seconds` for `key` to hold a message, without taking it (`BLMOVE` of the
    /// list onto itself leaves it unchanged). Use a dedicated client: this blocks its connection.
    /// - Returns: true when the list is non-empty.
    public static func waitForMessage(on client: RedisClient, key: String, seconds: Double) async throws -> Bool {
        let reply = try await client.command("BLMOVE", key, key, "RIGHT", "RIGHT", String(seconds))
        return reply != .null
    }
}
