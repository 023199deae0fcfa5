// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
import CeleriacSystem
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The shared revoke set (`celeriac:revoked`) and the broadcast that tells running workers
/// about new entries (Celery's pidbox channel, so Celery workers on the same Redis obey it). Workers check their in-memory copy before running a task, so a
/// revoked task that is queued or parked never runs, on any worker, including ones started
/// after the revoke.
public struct Revocations: Sendable {
    public let redis: RedisClient

    public init(redis: RedisClient) { self.redis = redis }

    /// How long a revoke holds: a task revoked while parked further ahead than this runs after all.
    public static let defaultHold: Duration = .seconds(7 * 86_400)

    /// Most entries a worker loads: Celery's own cap on remembered revokes (`REVOKES_MAX`).
    public static let maxEntries = 50_000

    /// Adds the command's ids to the set until `until` (an existing later expiry is kept),
    /// drops expired entries, and broadcasts the command on the pidbox channel unless
    /// `broadcast` is false (it came from that broadcast, which every worker saw).
    public func revoke(_ command: RevokeCommand, until: Date, now: Date, broadcast: Bool = true) async throws {
        let score = String(Broker.unixMillis(until))
        var commands: [[String]] = [
            ["ZADD", RedisKeys.revoked, "GT"] + command.taskIDs.flatMap { [score, $0] },
            ["ZREMRANGEBYSCORE", RedisKeys.revoked, "-inf", String(Broker.unixMillis(now))],
        ]
        if broadcast {
            // Celery workers drop a broadcast past its `expires`; a few seconds covers a slow one.
            let envelope = command.envelope(deliveryTag: TaskID.random(), expires: now.addingTimeInterval(10))
            commands.append([
                "PUBLISH", RedisKeys.celeryPidbox(database: redis.url.database), String(decoding: envelope, as: UTF8.self),
            ])
        }
        for reply in try await redis.commands(commands) {
            if case .error(let message) = reply { throw RedisError.server("revoke: \(message)") }
        }
    }

    /// Ids revoked and still in force at `now`, with when each revoke ends.
    public func active(now: Date) async throws -> [String: Date] {
        let reply = try await redis.command(
            "ZRANGE", RedisKeys.revoked, String(Broker.unixMillis(now)), "+inf", "BYSCORE", "LIMIT", "0",
            String(Self.maxEntries), "WITHSCORES")
        if case .error(let message) = reply { throw RedisError.server("revoked: \(message)") }
        let items = reply.array ?? []
        var out: [String: Date] = [:]
        var index = 0
        while index + 1 < items.count {
            if let id = items[index].string, let ms = items[index + 1].string.flatMap(Double.init) {
                out[id] = Date(timeIntervalSince1970: ms / 1000)
            }
            index += 2
        }
        return out
    }
}
