// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore

/// Jobs' per-task notes (``RedisKeys/taskLedger(_:)``): a hash per task id, kept 7 days
/// after its last write, so a retry or a run after a crash finds what earlier attempts did.
public struct TaskLedgers: Sendable {
    public let redis: RedisClient
    public static let ttlSeconds = 7 * 86_400

    public init(redis: RedisClient) { self.redis = redis }

    public func read(_ taskID: String) async throws -> [String: String] {
        let reply = try await redis.command("HGETALL", RedisKeys.taskLedger(taskID))
        return Dictionary(reply.stringPairs, uniquingKeysWith: { _, last in last })
    }

    /// Sets and removes entries and renews the expiry in one round trip (`MULTI`/`EXEC`, so
    /// a crash between them leaves none half applied).
    public func write(_ taskID: String, _ entries: [String: String?]) async throws {
        let key = RedisKeys.taskLedger(taskID)
        let sets = entries.compactMap { entry in entry.value.map { [entry.key, $0] } }.flatMap { $0 }
        let removals = entries.filter { $0.value == nil }.map(\.key)
        var commands: [[String]] = [["MULTI"]]
        if !sets.isEmpty { commands.append(["HSET", key] + sets) }
        if !removals.isEmpty { commands.append(["HDEL", key] + removals) }
        commands += [["EXPIRE", key, String(Self.ttlSeconds)], ["EXEC"]]
        let replies = try await redis.commands(commands)
        if case .error(let message)? = replies.last { throw RedisError.server(message) }
        if case .null? = replies.last { throw RedisError.server("ledger transaction aborted") }
    }
}
