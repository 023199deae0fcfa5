// Celeriac — a Celery-compatible job service in Swift.

/// Where a load stands, kept in the task's ledger after each page: a retried or restarted
/// task resumes at `next` and adds to the counts.
public struct LoadCursor: Sendable, Equatable {
    /// The next page's URL; nil when the load is complete.
    public var next: String?
    public var pages = 0
    public var rows = 0
    public var inserted = 0
    public var updated = 0

    public init(next: String?) { self.next = next }

    public var json: JSONValue {
        .object([
            "next": next.map(JSONValue.string) ?? .null, "pages": .int(Int64(pages)), "rows": .int(Int64(rows)),
            "inserted": .int(Int64(inserted)), "updated": .int(Int64(updated)),
        ])
    }

    public init?(json: JSONValue) {
        guard case .object = json, let pages = json["pages"]?.intValue, let rows = json["rows"]?.intValue,
            let inserted = json["inserted"]?.intValue, let updated = json["updated"]?.intValue
        else { return nil }
        next = json["next"]?.stringValue
        self.pages = Int(pages)
        self.rows = Int(rows)
        self.inserted = Int(inserted)
        self.updated = Int(updated)
    }
}

extension DataLoadSpec {
    /// The first page's URL, with the task's query parameters.
    public func firstPage(params: [String: String]) -> String {
        pageURL(params: params, index: 0)
    }

    /// The page after `current` (the `index`-th, counting from 0), given how many records it
    /// held and its body; nil when it was the last.
    public func nextPage(after current: String, index: Int, records: Int, body: JSONValue?, params: [String: String]) -> String? {
        switch pagination {
        case .none: return nil
        case .page: return records == 0 ? nil : pageURL(params: params, index: index + 1)
        case .offset(_, _, let size): return records < size ? nil : pageURL(params: params, index: index + 1)
        case .next(let pointer):
            guard let link = body.flatMap(pointer.value(in:))?.stringValue, !link.isEmpty else { return nil }
            return HTTPURL(current)?.resolving(link)?.description
        }
    }

    func pageURL(params: [String: String], index: Int) -> String {
        var query = params.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        switch pagination {
        case .page(let param, let start, let sizeParam, let size):
            query.append((param, String(start + index)))
            if let sizeParam, let size { query.append((sizeParam, String(size))) }
        case .offset(let param, let sizeParam, let size):
            query.append((param, String(index * size)))
            if let sizeParam { query.append((sizeParam, String(size))) }
        case .next, .none:
            break
        }
        guard !query.isEmpty else { return url }
        let encoded = query.map { "\(QueryEncoding.encode($0.0))=\(QueryEncoding.encode($0.1))" }.joined(separator: "&")
        return url + (url.contains("?") ? "&" : "?") + encoded
    }

    /// `INSERT … VALUES (…), … ON CONFLICT (key) DO UPDATE SET … RETURNING (xmax = 0)` for
    /// `rows` rows: each value a parameter cast to its column's type; the result says per row
    /// whether it was inserted (true) or updated.
    public func upsertSQL(rows: Int) -> String {
        let names = columns.map { "\"\($0.name)\"" }.joined(separator: ", ")
        var parameter = 0
        let tuples = (0..<rows).map { _ in
            "(" + columns.map { column in
                parameter += 1
                return "$\(parameter)::\(column.type.rawValue)"
            }.joined(separator: ", ") + ")"
        }.joined(separator: ", ")
        let keys = key.map { "\"\($0)\"" }.joined(separator: ", ")
        let others = columns.filter { !key.contains($0.name) }
        let action =
            others.isEmpty
            ? "DO UPDATE SET \"\(key[0])\" = EXCLUDED.\"\(key[0])\""
            : "DO UPDATE SET " + others.map { "\"\($0.name)\" = EXCLUDED.\"\($0.name)\"" }.joined(separator: ", ")
        return "INSERT INTO \(table) (\(names)) VALUES \(tuples) ON CONFLICT (\(keys)) \(action) RETURNING (xmax = 0)"
    }

    /// Rows per statement: `batchRows`, fewer when the columns would pass PostgreSQL's
    /// 65,535 parameters.
    public var rowsPerStatement: Int { max(1, min(batchRows, 65_535 / columns.count)) }

    /// One record's values in column order, as text parameters (nil for NULL).
    /// - Throws: a message naming the column when a value cannot be one of its type.
    public func values(of record: JSONValue) throws(LoadValueError) -> [String?] {
        try columns.map { (column) throws(LoadValueError) in
            let value = JSONPointer(column.source)?.value(in: record) ?? .null
            switch value {
            case .null: return nil
            case .string(let text): return text
            case .int(let number): return String(number)
            case .double(let number): return String(number)
            case .bool(let flag): return flag ? "true" : "false"
            default:
                guard column.type == .jsonb || column.type == .text else {
                    throw LoadValueError(column: column.name, reason: "an object or list cannot be \(column.type.rawValue)")
                }
                return value.jsonText
            }
        }
    }

    /// One CSV record's values in column order; an empty field is NULL except for text.
    public func values(of record: [String: String]) throws(LoadValueError) -> [String?] {
        try columns.map { (column) throws(LoadValueError) in
            guard let text = record[column.source] else { throw LoadValueError(column: column.name, reason: "no CSV column \(column.source)") }
            return text.isEmpty && column.type != .text ? nil : text
        }
    }

    /// The key of a row of ``values(of:)``, to keep the last of records sharing one in a
    /// statement (ON CONFLICT cannot touch a row twice).
    public func keyOf(_ values: [String?]) -> [String?] {
        key.compactMap { name in columns.firstIndex { $0.name == name }.map { values[$0] } }
    }
}

public struct LoadValueError: Error, Sendable, Equatable, CustomStringConvertible {
    public var column: String
    public var reason: String
    public var description: String { "column \(column): \(reason)" }
}

/// Percent-encoding of a query-string name or value (RFC 3986 unreserved characters kept).
enum QueryEncoding {
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E: out.append(Character(Unicode.Scalar(byte)))
            default: out += "%" + String(byte, radix: 16, uppercase: true).leftPadded
            }
        }
        return out
    }
}

extension String {
    fileprivate var leftPadded: String { count == 1 ? "0" + self : self }
}
