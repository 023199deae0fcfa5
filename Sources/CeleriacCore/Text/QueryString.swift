// Celeriac — a Celery-compatible job service in Swift.

/// A URL's query string (`a=1&b=x%20y`) as name/value pairs, strictly: percent-escapes must be
/// well formed and decode to UTF-8, and `+` is a space (HTML form encoding, which Python's
/// `urlencode` and browsers use).
public enum QueryString {
    /// Most parameters read from one query.
    public static let maxParameters = 32

    /// The pairs of `query` (without the `?`), in order; empty pieces (`a=1&&b=2`) are skipped.
    /// - Throws: ``DomainError`` `invalid` naming the parameter whose name or value is not
    ///   decodable, or when there are more than ``maxParameters``.
    public static func parse(_ query: String?) throws(DomainError) -> [(name: String, value: String)] {
        guard let query, !query.isEmpty else { return [] }
        var pairs: [(name: String, value: String)] = []
        for piece in query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            guard pairs.count < maxParameters else {
                throw .invalid("query", [.init(parameter: "", detail: "more than \(maxParameters) query parameters")])
            }
            let equals = piece.firstIndex(of: UInt8(ascii: "="))
            let rawName = piece[..<(equals ?? piece.endIndex)]
            let rawValue = equals.map { piece[piece.index(after: $0)...] } ?? piece[piece.endIndex...]
            guard let name = decode(rawName) else {
                let shown = String(decoding: rawName.prefix(64), as: UTF8.self)
                throw .invalid("query", [.init(parameter: shown, detail: "the name is not valid percent-encoded UTF-8")])
            }
            guard let value = decode(rawValue) else {
                throw .invalid("query", [.init(parameter: name, detail: "not valid percent-encoded UTF-8")])
            }
            pairs.append((name, value))
        }
        return pairs
    }

    /// Percent-decodes `bytes` (`+` as a space); nil for a bad escape or bytes that are not UTF-8.
    static func decode(_ bytes: Substring.UTF8View) -> String? {
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
            out.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
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
