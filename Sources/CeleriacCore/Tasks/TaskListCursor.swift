// Celeriac — a Celery-compatible job service in Swift.

/// Where a page of the task list ended: the last row's creation time and id, the keys the
/// list is ordered by (newest first). The next page starts strictly after it, so rows
/// inserted meanwhile never shift or repeat a page. Opaque to clients: base64url of
/// `<microseconds>.<id>`.
public struct TaskListCursor: Sendable, Equatable {
    /// The row's `date_created`, Unix microseconds.
    public var createdMicros: Int64
    /// The row's `id` (django-celery-results' serial key).
    public var id: Int64

    /// Creation times the history can hold: years 1–9999, as Python's `datetime`.
    static let micros: ClosedRange<Int64> = -62_135_596_800_000_000...253_402_300_799_999_999
    /// Django's `AutoField` is a PostgreSQL `integer`.
    static let ids: ClosedRange<Int64> = 0...Int64(Int32.max)
    /// Longest cursor text accepted.
    public static let maxLength = 64

    public init(createdMicros: Int64, id: Int64) {
        self.createdMicros = createdMicros
        self.id = id
    }

    /// The cursor a client echoes back.
    public var encoded: String { Base64URL.encode(Array("\(createdMicros).\(id)".utf8)) }

    /// Reads a cursor this API issued; nil for anything else.
    public init?(encoded text: String) {
        guard text.utf8.count <= Self.maxLength, let bytes = Base64URL.decode(text) else { return nil }
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 2, let micros = Self.integer(parts[0]), let id = Self.integer(parts[1]),
            Self.micros.contains(micros), Self.ids.contains(id)
        else { return nil }
        self.init(createdMicros: micros, id: id)
    }

    /// A decimal integer in canonical form (what ``encoded`` writes): optional `-`, no leading zeros.
    private static func integer(_ bytes: ArraySlice<UInt8>) -> Int64? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let value = Int64(text), String(value) == text else { return nil }
        return value
    }
}
