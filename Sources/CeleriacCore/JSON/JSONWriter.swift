// Celeriac — a Celery-compatible job service in Swift.

/// Writes JSON the way Python's `json.dumps` does by default: `", "` and `": "` separators and
/// `ensure_ascii` (every non-ASCII scalar as `\uXXXX`, surrogate pairs above the BMP).
///
/// Celery peers parse any JSON, but writing the same bytes they do keeps captured fixtures
/// byte-comparable and messages identical in `MONITOR` output.
public struct JSONWriter: Sendable {
    public var output: String = ""
    /// Keys that come first in every object, in this order; the rest follow sorted.
    private let keyRank: [String: Int]

    /// - Parameter keyOrder: keys written first, in this order (Celery's envelope order, say);
    ///   other keys follow in sorted order so output is deterministic.
    public init(keyOrder: [String] = []) {
        output.reserveCapacity(256)
        var rank: [String: Int] = [:]
        for (index, key) in keyOrder.enumerated() where rank[key] == nil { rank[key] = index }
        keyRank = rank
    }

    /// Writes any value.
    public mutating func write(_ value: JSONValue) {
        switch value {
        case .null: output += "null"
        case .bool(let b): output += b ? "true" : "false"
        case .int(let i): output += String(i)
        case .double(let d): writeDouble(d)
        case .string(let s): writeString(s)
        case .array(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += ", " }
                write(item)
            }
            output += "]"
        case .object(let members):
            writeObject(members)
        }
    }

    private mutating func writeObject(_ members: [String: JSONValue]) {
        let rank = keyRank
        let keys = members.keys.sorted { a, b in
            switch (rank[a], rank[b]) {
            case let (x?, y?): x < y
            case (.some, nil): true
            case (nil, .some): false
            case (nil, nil): a < b
            }
        }
        output += "{"
        var first = true
        for key in keys {
            let value = members[key]!
            if !first { output += ", " }
            first = false
            writeString(key)
            output += ": "
            write(value)
        }
        output += "}"
    }

    private mutating func writeDouble(_ d: Double) {
        if d.isNaN {
            output += "NaN"  // Python's json.dumps default; our encoder never produces it from input
        } else if d.isInfinite {
            output += d < 0 ? "-Infinity" : "Infinity"
        } else if d.rounded() == d && abs(d) < 1e16 {
            output += String(Int64(d)) + ".0"
        } else {
            output += "\(d)"
        }
    }

    /// Escapes like Python: `\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`, other controls and
    /// non-ASCII as `\uXXXX`.
    public mutating func writeString(_ s: String) {
        output += "\""
        for unit in s.utf16 {
            switch unit {
            case 0x22: output += "\\\""
            case 0x5C: output += "\\\\"
            case 0x0A: output += "\\n"
            case 0x0D: output += "\\r"
            case 0x09: output += "\\t"
            case 0x08: output += "\\b"
            case 0x0C: output += "\\f"
            case 0x20..<0x7F: output.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default: output += "\\u" + Self.hex4(unit)
            }
        }
        output += "\""
    }

    private static func hex4(_ unit: UInt16) -> String {
        let digits = Array("0123456789abcdef")
        return String([
            digits[Int(unit >> 12) & 0xF], digits[Int(unit >> 8) & 0xF],
            digits[Int(unit >> 4) & 0xF], digits[Int(unit) & 0xF],
        ])
    }
}

extension JSONValue {
    /// This value as Python-style JSON text.
    public var jsonText: String {
        var writer = JSONWriter()
        writer.write(self)
        return writer.output
    }
}
