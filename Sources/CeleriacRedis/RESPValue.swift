// Celeriac — a Celery-compatible job service in Swift.

/// A Redis reply, copied out of hiredis's `redisReply` at once so no C memory escapes.
public enum RESPValue: Sendable, Equatable {
    case null
    case integer(Int64)
    /// Bulk string: raw bytes (messages are UTF-8 JSON but Redis does not promise it).
    case bulk([UInt8])
    /// Simple status such as `OK`.
    case status(String)
    case array([RESPValue])
    /// `-ERR ...` returned by the server for this command; the connection stays usable.
    case error(String)

    /// Bulk or status reply as text.
    public var string: String? {
        switch self {
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let s): s
        default: nil
        }
    }

    public var integer: Int64? { if case .integer(let i) = self { i } else { nil } }
    public var array: [RESPValue]? { if case .array(let a) = self { a } else { nil } }
    public var bytes: [UInt8]? { if case .bulk(let b) = self { b } else { nil } }

    /// A flat array of field, value pairs (`HGETALL`, `ZRANGE … WITHSCORES`) as text pairs;
    /// a pair that is not text is left out, an odd last element ignored.
    public var stringPairs: [(String, String)] {
        let items = array ?? []
        return stride(from: 0, to: items.count - 1, by: 2).compactMap { index in
            guard let field = items[index].string, let value = items[index + 1].string else { return nil }
            return (field, value)
        }
    }
}
