// Celeriac — a Celery-compatible job service in Swift.

/// Counts the rows of each table in a plain-format `pg_dump` stream as it passes, chunk by
/// chunk: a table's data is a `COPY <table> (<columns>) FROM stdin;` line, one line per row
/// (COPY's text format escapes newlines inside values), then `\.`. The counts are those of
/// the dump's own snapshot, which a live database's later counts may no longer match.
public struct DumpRowCounter: Sendable {
    /// Tables in dump order with their row counts; a table's name as `pg_dump` wrote it
    /// (`public.orders`, `public."Order Lines"`).
    public private(set) var tables: [(name: String, rows: Int)] = []
    /// The table whose rows are passing, and how many have.
    private var copying: String?
    private var copyingRows = 0
    /// The start of a line a chunk cut (capped: only a `COPY` line or `\.` is ever read).
    private var carried: [UInt8] = []
    private var carriedAll = 0

    /// Longest `COPY` line read; longer lines are DDL or data, never a table's start.
    static let lineCap = 1 << 16

    public init() {}

    /// Reads the next chunk of the stream.
    public mutating func feed(_ chunk: [UInt8]) {
        chunk.withUnsafeBufferPointer { feed($0) }
    }

    /// Reads the next chunk of the stream (a scan for newlines: rows are only counted).
    public mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>) {
        var start = 0
        var index = 0
        let count = chunk.count
        while index < count {
            guard chunk[index] == 0x0A else {
                index += 1
                continue
            }
            let line = UnsafeBufferPointer(rebasing: chunk[start..<index])
            if carriedAll == 0 {
                endLine(line, length: line.count)
            } else {
                carry(line)
                let carriedLine = carried
                carriedLine.withUnsafeBufferPointer { endLine($0, length: carriedAll) }
                carried.removeAll(keepingCapacity: true)
                carriedAll = 0
            }
            index += 1
            start = index
        }
        carry(UnsafeBufferPointer(rebasing: chunk[start..<count]))
    }

    /// The counts as a JSON object, `{"public.orders": 5000}` (a table dumped twice, which
    /// pg_dump never does, adds up).
    public var json: JSONValue {
        var object: [String: JSONValue] = [:]
        for table in tables { object[table.name] = .int(Int64(table.rows) + (object[table.name]?.intValue ?? 0)) }
        return .object(object)
    }

    private mutating func carry(_ bytes: UnsafeBufferPointer<UInt8>) {
        let room = Self.lineCap - carried.count
        if room > 0 { carried.append(contentsOf: bytes.prefix(room)) }
        carriedAll += bytes.count
    }

    /// One line; `length` is its whole length when only its start was kept.
    private mutating func endLine(_ line: UnsafeBufferPointer<UInt8>, length: Int) {
        if let table = copying {
            if length == 2, line.count == 2, line[0] == 0x5C, line[1] == 0x2E {  // \.
                tables.append((table, copyingRows))
                copying = nil
            } else {
                copyingRows += 1
            }
        } else if length == line.count, length > 18, line.starts(with: Self.copyPrefix), let name = Self.table(in: Array(line)) {
            copying = name
            copyingRows = 0
        }
    }

    private static let copyPrefix = Array("COPY ".utf8)
    private static let fromStdin = Array(" FROM stdin;".utf8)

    /// The table of a `COPY <table> [(<columns>)] FROM stdin;` line: an identifier, possibly
    /// qualified, each part bare or double-quoted (`""` inside quotes stands for `"`).
    static func table(in line: [UInt8]) -> String? {
        guard line.count > copyPrefix.count + fromStdin.count, line.suffix(fromStdin.count).elementsEqual(fromStdin) else {
            return nil
        }
        var index = copyPrefix.count
        var quoted = false
        while index < line.count - fromStdin.count {
            let byte = line[index]
            if byte == 0x22 {  // "
                if quoted, index + 1 < line.count, line[index + 1] == 0x22 {
                    index += 2
                    continue
                }
                quoted.toggle()
            } else if byte == 0x20, !quoted {
                break
            }
            index += 1
        }
        guard !quoted, index > copyPrefix.count else { return nil }
        let name = String(decoding: line[copyPrefix.count..<index], as: UTF8.self)
        let rest = line[index..<(line.count - fromStdin.count)]
        // Nothing, or the column list in parentheses.
        guard rest.isEmpty || (rest.starts(with: [0x20, 0x28]) && rest.last == 0x29) else { return nil }
        return name
    }
}
