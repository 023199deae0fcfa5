// Celeriac — a Celery-compatible job service in Swift.

/// Where a page of the task list ended: the last row's creation time and id, the keys the
/// list is ordered by (newest first). The next page starts strictly after it, so rows
/// inserted meanwhile never shift or repeat a page. Clients treat it as opaque; it is
/// `<microseconds>.<id>`, and any text of that shape is a position in the order (values
/// beyond what the history can hold are clamped to its bounds, which no row lies beyond), so
/// the schema's pattern says exactly which cursors are accepted.
public struct TaskListCursor: Sendable, Equatable {
    /// The row's `date_created`, Unix microseconds.
    public var createdMicros: Int64
    /// The row's `id` (django-celery-results' serial key).
    public var id: Int64

    /// Creation times the history can hold: years 1–9999, as Python's `datetime`.
    static let micros: ClosedRange<Int64> = -62_135_596_800_000_000...253_402_300_799_999_999
    /// Django's `AutoField` is a PostgreSQL `integer`.
    static let ids: ClosedRange<Int64> = 0...Int64(Int32.max)
    /// Longest cursor text accepted: `-?[0-9]{1,18}` `.` `[0-9]{1,10}`.
    public static let maxLength = 30

    public init(createdMicros: Int64, id: Int64) {
        self.createdMicros = createdMicros
        self.id = id
    }

    /// The cursor a client echoes back.
    public var encoded: String { "\(createdMicros).\(id)" }

    /// Reads `-?[0-9]{1,18}\.[0-9]{1,10}`; nil for anything else.
    public init?(encoded text: String) {
        let parts = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 2, let micros = Self.integer(parts[0], digits: 18, signed: true),
            let id = Self.integer(parts[1], digits: 10, signed: false)
        else { return nil }
        self.init(
            createdMicros: min(max(micros, Self.micros.lowerBound), Self.micros.upperBound),
            id: min(id, Self.ids.upperBound))
    }

    /// 1...`digits` ASCII digits, after a `-` when `signed` allows one.
    private static func integer(_ bytes: Substring.UTF8View, digits: Int, signed: Bool) -> Int64? {
        var rest = bytes[...]
        let negative = signed && rest.first == UInt8(ascii: "-")
        if negative { rest = rest.dropFirst() }
        guard (1...digits).contains(rest.count), rest.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        let value = rest.reduce(Int64(0)) { $0 * 10 + Int64($1 - 0x30) }
        return negative ? -value : value
    }
}
