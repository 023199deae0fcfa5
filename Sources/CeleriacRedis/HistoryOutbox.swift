// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore

/// The history outbox (`celeriac:history-outbox`, a stream): the report script adds an
/// applied report's history entry in the same step, and the API's history writer deletes
/// entries only after PostgreSQL has committed them. An API killed at any moment loses no
/// history row; one whose answer was lost may write a row twice (upserts, so harmless).
public struct HistoryOutbox: Sendable {
    public let redis: RedisClient

    public init(redis: RedisClient) { self.redis = redis }

    /// Most entries kept (approximately, `MAXLEN ~`): beyond it, with PostgreSQL away for
    /// long under load, the oldest are dropped rather than filling Redis's memory.
    public static let maxLength = 1_000_000
    /// How long the writer's lease lasts without renewal.
    public static let leaseMilliseconds = 10_000

    public struct Entry: Sendable {
        /// The stream id (`<ms>-<seq>`).
        public var id: String
        public var payload: [UInt8]
    }

    /// Takes or renews the writer's lease for `owner`; false while another process holds it.
    public func holdLease(owner: String) async throws -> Bool {
        try await redis.run(
            .holdHistoryLease, keys: [RedisKeys.historyWriter], args: [owner, String(Self.leaseMilliseconds)]
        ).integer == 1
    }

    /// Gives the lease up if `owner` holds it.
    public func releaseLease(owner: String) async throws {
        _ = try await redis.run(.releaseHistoryLease, keys: [RedisKeys.historyWriter], args: [owner])
    }

    /// Up to `count` entries after stream id `after` (from the start when nil), oldest first.
    public func read(after: String?, count: Int) async throws -> [Entry] {
        let reply = try await redis.command(
            "XRANGE", RedisKeys.historyOutbox, after.map { "(" + $0 } ?? "-", "+", "COUNT", String(count))
        if case .error(let message) = reply { throw RedisError.server("history outbox: \(message)") }
        return (reply.array ?? []).compactMap { item in
            guard let parts = item.array, parts.count == 2, let id = parts[0].string, let fields = parts[1].array,
                fields.count >= 2, let payload = fields[1].bytes
            else { return nil }
            return Entry(id: id, payload: payload)
        }
    }

    /// Deletes written entries.
    public func delete(_ ids: [String]) async throws {
        for first in stride(from: 0, to: ids.count, by: 1000) {
            let reply = try await redis.commands([["XDEL", RedisKeys.historyOutbox] + ids[first..<min(first + 1000, ids.count)]])
            if case .error(let message)? = reply.first { throw RedisError.server("history outbox: \(message)") }
        }
    }

    /// Entries waiting.
    public func length() async throws -> Int {
        Int(try await redis.command("XLEN", RedisKeys.historyOutbox).integer ?? 0)
    }
}
