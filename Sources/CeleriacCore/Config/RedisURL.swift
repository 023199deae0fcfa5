// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where Redis is: parsed from `redis://[[user]:password@]host[:port][/db]`, the URL form
/// Celery's `broker_url` uses.
public struct RedisURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var database: Int
    public var username: String?
    public var password: String?

    public init(host: String = "127.0.0.1", port: Int = 6379, database: Int = 0, username: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.database = database
        self.username = username
        self.password = password
    }

    /// - Throws: ``ConfigError`` naming what is wrong (scheme, port, db).
    public init(parsing text: String) throws(ConfigError) {
        guard text.hasPrefix("redis://") else { throw ConfigError("redis URL must start with redis://") }
        var rest = Substring(text.dropFirst("redis://".count))
        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                let user = String(credentials[..<colon])
                username = user.isEmpty ? nil : user.removingPercentEncodingSafely
                password = String(credentials[credentials.index(after: colon)...]).removingPercentEncodingSafely
            } else {
                password = String(credentials).removingPercentEncodingSafely
            }
        }
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let dbText = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !dbText.isEmpty {
                guard let db = Int(dbText), db >= 0 else { throw ConfigError("redis URL database must be a number") }
                database = db
            }
        }
        var host = String(rest)
        var port = 6379
        if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            guard let p = Int(rest[rest.index(after: colon)...]), (1...65535).contains(p) else {
                throw ConfigError("redis URL port must be 1–65535")
            }
            port = p
        }
        self.init(host: host.isEmpty ? "127.0.0.1" : host, port: port, database: database, username: username, password: password)
    }

    /// The URL with the password masked, safe for logs.
    public var description: String {
        let credentials = password == nil ? "" : "\(username ?? ""):***@"
        return "redis://\(credentials)\(host):\(port)/\(database)"
    }
}

extension String {
    /// Percent-decoding (`%40` → `@`) that leaves the input as it was when it is malformed (a
    /// `%` without two hex digits) or would not decode to UTF-8, like Foundation's
    /// `removingPercentEncoding ?? self`.
    var removingPercentEncodingSafely: String {
        PercentEncoding.decode(utf8[...], plusIsSpace: false) ?? self
    }
}
