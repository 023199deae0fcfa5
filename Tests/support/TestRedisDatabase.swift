// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacRedis
public import Testing

/// A Redis database of the suite's own (`@Suite(.redisDatabase(3))`): flushed before the
/// suite's first test and after its last, and the one ``TestServices/redisURL`` names inside
/// the suite, so suites never see each other's keys (the reaper of one suite's workers cannot
/// return another's leases). `make test` starts Redis with 32 databases.
public struct RedisDatabaseTrait: SuiteTrait, TestScoping {
    let index: Int
    public var isRecursive: Bool { false }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        guard TestServices.enabled else { return try await function() }
        var url = try TestServices.baseRedisURL
        url.database = index
        let admin = RedisClient(url: url, name: "redis-test-admin")
        try await admin.command("FLUSHDB")
        do {
            try await TestServices.$redisDatabase.withValue(index) { try await function() }
        } catch {
            _ = try? await admin.command("FLUSHDB")
            throw error
        }
        try await admin.command("FLUSHDB")
    }
}

extension Trait where Self == RedisDatabaseTrait {
    /// The suite's own Redis database, 1–31 (15 is what suites without one share).
    public static func redisDatabase(_ index: Int) -> Self {
        precondition((1...31).contains(index) && index != 15, "suite databases are 1–31, not 15")
        return RedisDatabaseTrait(index: index)
    }
}
