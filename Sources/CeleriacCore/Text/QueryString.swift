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
            guard let name = PercentEncoding.decode(rawName, plusIsSpace: true) else {
                let shown = String(decoding: rawName.prefix(64), as: UTF8.self)
                throw .invalid("query", [.init(parameter: shown, detail: "the name is not valid percent-encoded UTF-8")])
            }
            guard let value = PercentEncoding.decode(rawValue, plusIsSpace: true) else {
                throw .invalid("query", [.init(parameter: name, detail: "not valid percent-encoded UTF-8")])
            }
            pairs.append((name, value))
        }
        return pairs
    }
}
