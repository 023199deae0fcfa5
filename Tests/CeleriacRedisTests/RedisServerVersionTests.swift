// Celeriac — a Celery-compatible job service in Swift.

import CeleriacRedis
import TestSupport
import Testing

@Suite struct RedisServerVersionTests {
    @Test(arguments: [
        ("redis_version:6.2.14", false), ("redis_version:7.0.15", true), ("redis_version:7.2.4", true),
        ("redis_version:8.0.2", true), ("redis_version:5.0.7", false),
    ])
    func versionsFromInfo(_ line: String, supported: Bool) throws {
        let info = "# Server\r\n\(line)\r\nredis_git_sha1:00000000\r\nredis_mode:standalone\r\n"
        let version = try #require(RedisServerVersion(info: info))
        #expect(version.isSupported == supported)
        #expect(version.text == String(line.dropFirst("redis_version:".count)))
    }

    @Test func infoWithoutAVersionIsNil() {
        #expect(RedisServerVersion(info: "# Server\r\nredis_mode:standalone\r\n") == nil)
        #expect(RedisServerVersion(info: "redis_version:seven") == nil)
    }

    @Test(.enabled(if: TestServices.enabled, "needs the test Redis (make test)"))
    func theTestServerIsSupported() async throws {
        let version = try #require(try await RedisClient(url: try TestServices.redisURL).serverVersion())
        #expect(version.isSupported, "test Redis is \(version)")
    }

}
