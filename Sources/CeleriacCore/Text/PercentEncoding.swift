// Celeriac — a Celery-compatible job service in Swift.

/// Percent-decoding (RFC 3986 §2.1), strictly: every `%` must start two hex digits and the
/// result must be UTF-8. Shared by URL userinfo (``RedisURL``) and query strings (``QueryString``).
enum PercentEncoding {
    /// The text `bytes` encode, `+` read as a space when `plusIsSpace` (HTML form encoding);
    /// nil for a malformed escape or bytes that are not UTF-8.
    static func decode(_ bytes: Substring.UTF8View, plusIsSpace: Bool) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                let high = bytes.index(after: index)
                guard high < bytes.endIndex, bytes.index(after: high) < bytes.endIndex,
                    let h = hexValue(bytes[high]), let l = hexValue(bytes[bytes.index(after: high)])
                else { return nil }
                out.append(h << 4 | l)
                index = bytes.index(high, offsetBy: 2)
                continue
            }
            out.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index = bytes.index(after: index)
        }
        return String(validating: out, as: UTF8.self)
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
