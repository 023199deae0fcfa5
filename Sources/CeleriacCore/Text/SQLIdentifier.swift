// Celeriac — a Celery-compatible job service in Swift.

/// Table and column names taken from configuration, never from a request, and still checked:
/// a plain identifier (letters, digits, `_`, not starting with a digit, at most 63 bytes, what
/// PostgreSQL keeps) double-quoted, so a name can only ever be a name.
public enum SQLIdentifier {
    /// `name`, or `schema.name`, quoted (`"public"."users"`); nil when a part is not plain.
    public static func quoted(_ name: String) -> String? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy(isPlain) else { return nil }
        return parts.map { "\"\($0)\"" }.joined(separator: ".")
    }

    static func isPlain(_ part: Substring) -> Bool {
        guard let first = part.utf8.first, part.utf8.count <= 63, !(0x30...0x39).contains(first) else { return false }
        return part.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x5F
        }
    }
}
