// Celeriac — a Celery-compatible job service in Swift.

/// A Lua script run with `EVALSHA`, loaded on first use and reloaded on `NOSCRIPT` (after a
/// Redis restart or `SCRIPT FLUSH`). Scripts live in `Scripts/`, one file per area, each with
/// a comment block naming its KEYS, ARGV and return values.
public struct RedisScript: Sendable {
    public let name: String
    public let source: String

    public init(name: String, source: String) {
        self.name = name
        self.source = source
    }
}
