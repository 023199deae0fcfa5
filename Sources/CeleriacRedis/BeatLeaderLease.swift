// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacSystem

/// Beat's leader lease in Redis: `SET NX PX` on `celeriac:beat:leader` with a value unique
/// to the term (a fencing counter and this process), renewed only by its holder. Every send
/// is checked against the token in the same Redis step (``TaskPublisher/publish(_:fence:dedupTTLMilliseconds:outboxEntry:)``),
/// so a leader that lost the lease (paused, cut off) sends nothing.
public struct BeatLeaderLease: Sendable {
    public let redis: RedisClient
    public let holder: String
    public let lease: Duration

    public init(redis: RedisClient, name: String, lease: Duration) {
        self.redis = redis
        holder = "\(name):\(TaskID.random().prefix(8))"
        self.lease = lease
    }

    /// The term's token if the lease was free and is now ours.
    public func acquire() async throws -> String? {
        try await redis.run(.beatAcquire, keys: [RedisKeys.beatLeader, RedisKeys.beatFence], args: [holder, milliseconds]).string
    }

    /// False when the lease is no longer `token`'s.
    public func renew(_ token: String) async throws -> Bool {
        try await redis.run(.beatRenew, keys: [RedisKeys.beatLeader], args: [token, milliseconds]).integer == 1
    }

    public func release(_ token: String) async throws {
        _ = try await redis.run(.beatRelease, keys: [RedisKeys.beatLeader], args: [token])
    }

    private var milliseconds: String { String(lease.wholeMilliseconds) }
}
