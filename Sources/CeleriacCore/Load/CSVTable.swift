// Celeriac — a Celery-compatible job service in Swift.

/// RFC 4180 CSV: a header line naming the columns, then records. Fields may be quoted
/// (`"a ""b"", c"`), quoted fields may hold line breaks; lines end with CRLF or LF.
public enum CSVTable {
    public struct Malformed: Error, Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "CSV line \(line): \(reason)" }
    }

    /// Each record as column → text, keyed by the header's names.
    public static func records(_ bytes: [UInt8]) throws(Malformed) -> [[String: String]] {
        let rows = try rows(bytes)
        guard let header = rows.first else { return [] }
        return try rows.dropFirst().enumerated().map { (index, row) throws(Malformed) in
            guard row.count == header.count else {
                throw Malformed(line: index + 2, reason: "\(row.count) fields where the header has \(header.count)")
            }
            return Dictionary(zip(header, row), uniquingKeysWith: { first, _ in first })
        }
    }

    static func rows(_ bytes: [UInt8]) throws(Malformed) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field: [UInt8] = []
        var quoted = false, wasQuoted = false
        var line = 1
        var index = 0
        func endField() {
            row.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            wasQuoted = false
        }
        while index < bytes.count {
            let byte = bytes[index]
            if quoted {
                if byte == 0x22 {
                    if index + 1 < bytes.count && bytes[index + 1] == 0x22 {
                        field.append(0x22)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if byte == 0x0A { line += 1 }
                    field.append(byte)
                }
            } else {
                switch byte {
                case 0x22:
                    guard field.isEmpty && !wasQuoted else { throw Malformed(line: line, reason: "a quote inside an unquoted field") }
                    quoted = true
                    wasQuoted = true
                case 0x2C:
                    endField()
                case 0x0D where index + 1 < bytes.count && bytes[index + 1] == 0x0A:
                    break
                case 0x0A:
                    endField()
                    if !(row.count == 1 && row[0].isEmpty) { rows.append(row) }
                    row = []
                    line += 1
                default:
                    guard !wasQuoted else { throw Malformed(line: line, reason: "text after a closing quote") }
                    field.append(byte)
                }
            }
            index += 1
        }
        if quoted { throw Malformed(line: line, reason: "a quoted field is not closed") }
        if !field.isEmpty || !row.isEmpty || wasQuoted {
            endField()
            rows.append(row)
        }
        return rows
    }
}
