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
        let input = Array(utf8)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            if input[index] == UInt8(ascii: "%") {
                guard index + 2 < input.count, let high = Self.hexValue(input[index + 1]),
                    let low = Self.hexValue(input[index + 2])
                else { return self }
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(input[index])
                index += 1
            }
        }
        return String(validating: output, as: UTF8.self) ?? self
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
