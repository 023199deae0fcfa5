// Celeriac — a Celery-compatible job service in Swift.

/// One load of `CELERIAC_DATA_LOADS`: where pages of records come from and which table
/// they are upserted into. A task names a load (and may add query parameters); the table,
/// columns and types come from here only.
///
/// ```json
/// {"stations": {"database": "CELERIAC_DATABASE_URL", "table": "public.station", "key": ["id"],
///   "columns": {"id": {"from": "/id", "type": "text"}, "name": {"from": "/name", "type": "text"},
///               "elevation": {"from": "/elevation", "type": "numeric"}},
///   "source": {"url": "https://example.org/stations", "format": "json", "records": "/data",
///              "pagination": {"type": "page", "param": "page", "start": 1}}}}
/// ```
public struct DataLoadSpec: Sendable, Equatable {
    public enum ColumnType: String, Sendable, CaseIterable {
        case text, integer, bigint, numeric, double = "double precision", boolean, date, timestamptz, jsonb
    }

    public struct Column: Sendable, Equatable {
        /// Plain identifier (quoted when used).
        public var name: String
        public var type: ColumnType
        /// JSON: a pointer into the record; CSV: a header name.
        public var source: String
    }

    public enum Format: String, Sendable { case json, csv }

    public enum Pagination: Sendable, Equatable {
        /// `?param=start`, `start+1`, … until a page has no records.
        case page(param: String, start: Int, sizeParam: String?, size: Int?)
        /// `?param=0`, `size`, `2*size`, … until a page has fewer than `size` records.
        case offset(param: String, sizeParam: String?, size: Int)
        /// The next page's URL is in the body at `pointer` (absent, null or "" at the end).
        case next(pointer: JSONPointer)
        /// One page.
        case none
    }

    public var name: String
    public var database: String
    /// Quoted table name.
    public var table: String
    public var key: [String]
    public var columns: [Column]
    public var url: String
    public var format: Format
    public var records: JSONPointer
    public var pagination: Pagination
    public var headers: [String: String]
    public var batchRows: Int
    public var maxPages: Int

    public static func parse(_ json: JSONValue) throws(ConfigError) -> [String: DataLoadSpec] {
        guard case .object(let members) = json else { throw ConfigError("CELERIAC_DATA_LOADS: expected a JSON object of loads") }
        var loads: [String: DataLoadSpec] = [:]
        for (name, entry) in members { loads[name] = try DataLoadSpec(name: name, entry) }
        return loads
    }

    init(name: String, _ entry: JSONValue) throws(ConfigError) {
        let members = try ConfigEntry(
            variable: "CELERIAC_DATA_LOADS", name: name, entry, known: ["database", "table", "key", "columns", "source", "batch_rows"],
            nameProblem: JobSchema.Field.isSecretName(name) ? nil : "a load's name is letters, digits, '_', '-' or '.'")
        let fail = members.fail
        self.name = name
        database = members["database"]?.stringValue ?? "CELERIAC_DATABASE_URL"
        guard JobSchema.Field.isSecretName(database) else { throw fail("database names the secret holding the URL") }
        guard let tableName = members["table"]?.stringValue, let table = SQLIdentifier.quoted(tableName) else {
            throw fail("table must be a plain table name (or schema.table)")
        }
        self.table = table
        guard case .object(let columnMembers)? = members["columns"], !columnMembers.isEmpty, columnMembers.count <= 200 else {
            throw fail("columns must be an object of 1 to 200 columns")
        }
        guard case .object(let sourceMembers)? = members["source"] else { throw fail("source is required") }
        let format = Format(rawValue: sourceMembers["format"]?.stringValue ?? "json")
        guard let format else { throw fail("source.format is json or csv") }
        self.format = format
        var columns: [Column] = []
        for (column, spec) in columnMembers.sorted(by: { $0.key < $1.key }) {
            guard SQLIdentifier.isPlain(Substring(column)) else { throw fail("columns: \(column.prefix(64)) is not a plain column name") }
            let type = ColumnType(rawValue: spec["type"]?.stringValue ?? "text")
            guard let type else {
                throw fail("columns.\(column).type is one of \(ColumnType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let from = spec["from"]?.stringValue ?? (format == .json ? "/\(column)" : column)
            if format == .json && JSONPointer(from) == nil { throw fail("columns.\(column).from must be a JSON pointer (/a/b)") }
            columns.append(Column(name: column, type: type, source: from))
        }
        self.columns = columns
        guard case .array(let keys)? = members["key"], !keys.isEmpty,
            case let key = keys.compactMap(\.stringValue), key.count == keys.count,
            key.allSatisfy({ name in columns.contains { $0.name == name } })
        else { throw fail("key must list the columns of a unique index (for ON CONFLICT)") }
        self.key = key
        guard let url = sourceMembers["url"]?.stringValue, let parsed = HTTPURL(url) else {
            throw fail("source.url must be an http:// or https:// URL")
        }
        self.url = parsed.description
        guard let records = JSONPointer(sourceMembers["records"]?.stringValue ?? "") else {
            throw fail("source.records must be a JSON pointer")
        }
        self.records = records
        headers = [:]
        if case .object(let given)? = sourceMembers["headers"] {
            for (header, value) in given {
                guard let text = value.stringValue, !HeaderText.hasLineBreakOrNUL(text), !HeaderText.hasLineBreakOrNUL(header) else {
                    throw fail("source.headers must be one-line strings")
                }
                headers[header] = text
            }
        }
        pagination = try Self.pagination(sourceMembers["pagination"], fail)
        batchRows = Int(members["batch_rows"]?.intValue ?? 1000)
        guard (1...10_000).contains(batchRows) else { throw fail("batch_rows is 1 to 10000") }
        maxPages = Int(sourceMembers["max_pages"]?.intValue ?? 100_000)
    }

    private static func pagination(_ json: JSONValue?, _ fail: (String) -> ConfigError) throws(ConfigError) -> Pagination {
        guard let json, json != .null else { return .none }
        let size = json["size"]?.intValue.map(Int.init)
        switch json["type"]?.stringValue {
        case "page":
            return .page(
                param: json["param"]?.stringValue ?? "page", start: Int(json["start"]?.intValue ?? 1),
                sizeParam: json["size_param"]?.stringValue, size: size)
        case "offset":
            guard let size, size > 0 else { throw fail("offset pagination needs a size") }
            return .offset(param: json["param"]?.stringValue ?? "offset", sizeParam: json["size_param"]?.stringValue, size: size)
        case "next":
            guard let pointer = json["pointer"]?.stringValue.flatMap(JSONPointer.init) else {
                throw fail("next pagination needs pointer: where the next page's URL is")
            }
            return .next(pointer: pointer)
        case "none": return .none
        default: throw fail("pagination.type is page, offset, next or none")
        }
    }
}
