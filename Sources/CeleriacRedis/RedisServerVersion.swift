// Celeriac — a Celery-compatible job service in Swift.

/// The `redis_version` a server reports in `INFO server` (Valkey reports one too).
public struct RedisServerVersion: Sendable, Equatable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    /// As reported, `7.0.15` say.
    public var text: String

    /// The oldest server the scripts run on: the claim uses `LMOVE` (6.2) and `EXPIRE … NX` (7.0).
    public static let oldestSupported = RedisServerVersion(major: 7, minor: 0, text: "7.0")

    public init(major: Int, minor: Int, text: String) {
        self.major = major
        self.minor = minor
        self.text = text
    }

    /// Reads `redis_version:X.Y.Z` from an `INFO` reply; nil when it has none.
    public init?(info: String) {
        guard let line = info.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("redis_version:") }) else {
            return nil
        }
        let text = String(line.dropFirst("redis_version:".count))
        let parts = text.split(separator: ".").map { Int($0) }
        guard parts.count >= 2, let major = parts[0], let minor = parts[1] else { return nil }
        self.init(major: major, minor: minor, text: text)
    }

    public var isSupported: Bool { self >= Self.oldestSupported }
    public var description: String { text }

    public static func < (a: Self, b: Self) -> Bool { (a.major, a.minor) < (b.major, b.minor) }
    public static func == (a: Self, b: Self) -> Bool { (a.major, a.minor) == (b.major, b.minor) }
}

extension RedisClient {
    /// The server's version from `INFO server`; nil when the reply names none.
    public func serverVersion() async throws -> RedisServerVersion? {
        try await command("INFO", "server").string.flatMap(RedisServerVersion.init(info:))
    }
}
