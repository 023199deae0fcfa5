// Celeriac — a Celery-compatible job service in Swift.

/// Writes JSON the way Python's `json.dumps` does by default: `", "` and `": "` separators and
/// `ensure_ascii` (every non-ASCII scalar as `\uXXXX`, surrogate pairs above the BMP).
///
/// Celery peers parse any JSON, but writing the same bytes they do keeps captured fixtures
/// byte-comparable and messages identical in `MONITOR` output.
public struct JSONWriter: Sendable {
    /// The JSON written so far, as UTF-8 (always ASCII: everything else is escaped).
    public private(set) var bytes: [UInt8] = []
    /// The JSON written so far.
    public var output: String { String(decoding: bytes, as: UTF8.self) }
    private let order: JSONKeyOrder

    /// - Parameter keyOrder: keys written first, in this order (Celery's envelope order, say);
    ///   other keys follow in sorted order so output is deterministic.
    public init(keyOrder: [String] = []) {
        self.init(order: JSONKeyOrder(keyOrder))
    }

    /// With a key order built once (hot paths keep theirs in a `static let`), and room for
    /// `capacity` bytes before the buffer has to grow.
    public init(order: JSONKeyOrder, capacity: Int = 512) {
        self.order = order
        bytes.reserveCapacity(capacity)
    }

    /// Writes any value.
    public mutating func write(_ value: JSONValue) {
        switch value {
        case .null: append("null")
        case .bool(true): append("true" as StaticString)
        case .bool(false): append("false" as StaticString)
        case .int(let i): append(String(i))
        case .double(let d): writeDouble(d)
        case .string(let s): writeString(s)
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { append(", ") }
                write(item)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            writeObject(members)
        }
    }

    /// Appends text that is already JSON (punctuation, keys known to need no escaping).
    public mutating func raw(_ text: StaticString) {
        append(text)
    }

    /// Appends bytes that are already JSON-safe (base64 text inside quotes the caller wrote).
    public mutating func raw(_ bytes: [UInt8]) {
        self.bytes.append(contentsOf: bytes)
    }

    private mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    private mutating func writeObject(_ members: [String: JSONValue]) {
        let rank = order.rank
        let keys = members.keys.sorted { a, b in
            switch (rank[a], rank[b]) {
            case let (x?, y?): x < y
            case (.some, nil): true
            case (nil, .some): false
            case (nil, nil): a < b
            }
        }
        bytes.append(UInt8(ascii: "{"))
        var first = true
        for key in keys {
            if !first { append(", ") }
            first = false
            writeString(key)
            append(": ")
            write(members[key]!)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    private mutating func writeDouble(_ d: Double) {
        if d.isNaN {
            append("NaN")  // Python's json.dumps default; our encoder never produces it from input
        } else if d.isInfinite {
            append(d < 0 ? "-Infinity" : "Infinity")
        } else if d.rounded() == d && abs(d) < 1e16 {
            append(String(Int64(d)))
            append(".0")
        } else {
            append("\(d)")
        }
    }

    /// Escapes like Python: `\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`, other controls and
    /// non-ASCII as `\uXXXX` (UTF-16, surrogate pairs above the BMP).
    public mutating func writeString(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        // The usual case (ids, names, reprs): nothing to escape. Scanned as a buffer: through
        // the UTF-8 view's iterator this scan was ~1.5% of the API's time under load.
        let copied = s.utf8.withContiguousStorageIfAvailable { utf8 in
            for byte in utf8 where byte < 0x20 || byte >= 0x7F || byte == 0x22 || byte == 0x5C { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copied != true {
            if s.utf8.contains(where: { $0 >= 0x80 }) {
                writeEscapedScalars(s)  // rare: non-ASCII somewhere, take the scalar path
            } else {
                for byte in s.utf8 { writeASCII(byte) }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func writeASCII(_ byte: UInt8) {
        switch byte {
        case 0x22: append("\\\"")
        case 0x5C: append("\\\\")
        case 0x0A: append("\\n")
        case 0x0D: append("\\r")
        case 0x09: append("\\t")
        case 0x08: append("\\b")
        case 0x0C: append("\\f")
        case 0x20..<0x7F: bytes.append(byte)
        default: writeUnicodeEscape(UInt16(byte))
        }
    }

    private mutating func writeEscapedScalars(_ s: String) {
        for scalar in s.unicodeScalars {
            if scalar.value < 0x80 {
                writeASCII(UInt8(scalar.value))
            } else {
                for unit in String(scalar).utf16 { writeUnicodeEscape(unit) }
            }
        }
    }

    private mutating func writeUnicodeEscape(_ unit: UInt16) {
        append("\\u")
        for shift in [12, 8, 4, 0] as [UInt16] { bytes.append(ASCIIDigits.lowercaseHex[Int((unit >> shift) & 0xF)]) }
    }
}

/// Which keys come first in objects, and in what order; build once, reuse.
public struct JSONKeyOrder: Sendable {
    let rank: [String: Int]
    public init(_ keys: [String]) {
        var rank: [String: Int] = [:]
        for (index, key) in keys.enumerated() where rank[key] == nil { rank[key] = index }
        self.rank = rank
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
