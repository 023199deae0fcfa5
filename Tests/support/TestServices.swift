// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
import Foundation

/// Where the real Redis and PostgreSQL of the test run are. `make test` starts both and sets
/// `CELERIAC_TEST_REDIS_URL` / `CELERIAC_TEST_POSTGRES_URL` and `CELERIAC_TEST_REQUIRE_SERVICES=1`;
/// with that flag a missing service fails the suite instead of skipping it.
public enum TestServices {
    static let environment = ProcessInfo.processInfo.environment

    /// True when service-backed tests should run (services configured, or required).
    public static var enabled: Bool {
        environment["CELERIAC_TEST_REDIS_URL"] != nil || environment["CELERIAC_TEST_REQUIRE_SERVICES"] == "1"
    }

    /// The suite's Redis database, set by ``RedisDatabaseTrait``; nil outside such a suite.
    @TaskLocal static var redisDatabase: Int?

    /// The test Redis: the suite's own database (`@Suite(.redisDatabase(n))`), else database
    /// 15, which is never flushed (tests there use their own queue names, worker names and ids).
    public static var redisURL: RedisURL {
        get throws {
            var url = try baseRedisURL
            if let redisDatabase { url.database = redisDatabase }
            return url
        }
    }

    static var baseRedisURL: RedisURL {
        get throws {
            guard let text = environment["CELERIAC_TEST_REDIS_URL"] else {
                throw ConfigError("CELERIAC_TEST_REDIS_URL is not set; run `make test`")
            }
            return try RedisURL(parsing: text)
        }
    }

    /// Admin URL of the test PostgreSQL server (its `postgres` database).
    public static var postgresURL: String {
        get throws {
            guard let text = environment["CELERIAC_TEST_POSTGRES_URL"] else {
                throw ConfigError("CELERIAC_TEST_POSTGRES_URL is not set; run `make test`")
            }
            return text
        }
    }

    /// A name no other test uses (queue, worker, database suffix).
    public static func uniqueName(_ prefix: String) -> String {
        prefix + "-" + UUID().uuidString.prefix(8).lowercased()
    }
}
