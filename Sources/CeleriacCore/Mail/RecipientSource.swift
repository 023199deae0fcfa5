// Celeriac — a Celery-compatible job service in Swift.

/// Where a broadcast finds its recipients: a table and its columns, with fixed filters, named
/// in the worker's configuration (`CELERIAC_MAIL_SOURCES`). A request names a source; it never
/// carries SQL, a table or a column. Identifiers are checked and quoted, filter values are
/// parameters.
///
/// ```json
/// {"opted_in_users": {"database": "CELERIAC_DATABASE_URL", "table": "public.app_user",
///   "email": "email", "name": "display_name", "variables": ["first_name", "unsubscribe_token"],
///   "where": {"opted_in": true, "deleted_at": null}}}
/// ```
public struct RecipientSource: Sendable, Equatable {
    public var name: String
    /// The secret holding the database URL.
    public var database: String
    /// Quoted identifiers.
    let table: String
    let emailColumn: String
    let nameColumn: String?
    /// Extra columns, by their plain names: `recipient.<column>` in templates.
    public let variables: [String]
    /// Quoted column and its value; nil compares with `IS NULL`.
    let filters: [(column: String, value: String?)]

    public static func == (a: RecipientSource, b: RecipientSource) -> Bool {
        a.name == b.name && a.database == b.database && a.table == b.table && a.emailColumn == b.emailColumn
            && a.nameColumn == b.nameColumn && a.variables == b.variables
            && a.filters.map(\.column) == b.filters.map(\.column) && a.filters.map(\.value) == b.filters.map(\.value)
    }

    /// Every source of a configuration file's JSON object.
    /// - Throws: ``ConfigError`` naming the source and the entry at fault.
    public static func parse(_ json: JSONValue) throws(ConfigError) -> [String: RecipientSource] {
        guard case .object(let members) = json else { throw ConfigError("CELERIAC_MAIL_SOURCES: expected a JSON object of sources") }
        var sources: [String: RecipientSource] = [:]
        for (name, entry) in members {
            sources[name] = try RecipientSource(name: name, entry)
        }
        return sources
    }

    init(name: String, _ entry: JSONValue) throws(ConfigError) {
        let members = try ConfigEntry(
            variable: "CELERIAC_MAIL_SOURCES", name: name, entry, known: ["database", "table", "email", "name", "variables", "where"],
            nameProblem: JobSchema.Field.isSecretName(name) ? nil : "a source name is letters, digits, '_', '-' or '.'")
        let fail = members.fail
        func identifier(_ key: String, qualified: Bool = false) throws(ConfigError) -> String? {
            guard let value = members[key], value != .null else { return nil }
            guard let text = value.stringValue, let quoted = SQLIdentifier.quoted(text), qualified || !text.contains(".") else {
                throw fail("\(key) must be a plain \(qualified ? "table name (or schema.table)" : "column name")")
            }
            return quoted
        }
        guard let table = try identifier("table", qualified: true) else { throw fail("table is required") }
        guard let email = try identifier("email") else { throw fail("email (the address column) is required") }
        self.name = name
        self.table = table
        emailColumn = email
        nameColumn = try identifier("name")
        database = members["database"]?.stringValue ?? "CELERIAC_DATABASE_URL"
        guard JobSchema.Field.isSecretName(database) else { throw fail("database names the secret holding the URL") }
        var variables: [String] = []
        if let list = members["variables"] {
            guard case .array(let items) = list else { throw fail("variables must be a list of column names") }
            for item in items {
                guard let text = item.stringValue, SQLIdentifier.isPlain(Substring(text)) else {
                    throw fail("variables must be plain column names")
                }
                variables.append(text)
            }
        }
        self.variables = variables
        var filters: [(String, String?)] = []
        if let whereClause = members["where"] {
            guard case .object(let conditions) = whereClause else { throw fail("where must be an object of column to value") }
            for (column, value) in conditions.sorted(by: { $0.key < $1.key }) {
                guard SQLIdentifier.isPlain(Substring(column)) else { throw fail("where: \(column.prefix(64)) is not a plain column name") }
                switch value {
                case .null: filters.append(("\"\(column)\"", nil))
                case .bool(let flag): filters.append(("\"\(column)\"", flag ? "true" : "false"))
                case .int(let number): filters.append(("\"\(column)\"", String(number)))
                case .string(let text): filters.append(("\"\(column)\"", text))
                default: throw fail("where: \(column): a value is a string, an integer, true, false or null")
                }
            }
        }
        self.filters = filters
    }

    /// How many recipients the source holds now (distinct addresses).
    public var countQuery: (sql: String, params: [String?]) {
        let (condition, params) = conditions(after: nil)
        return ("SELECT count(DISTINCT \(emailColumn)) FROM \(table)\(condition)", params)
    }

    /// The next `limit` recipients in address order after `after`: columns email, name (or
    /// NULL), then ``variables``. Keyset paging: a resumed broadcast starts where it stopped,
    /// and an address listed twice is mailed once.
    public func pageQuery(after: String?, limit: Int) -> (sql: String, params: [String?]) {
        let (condition, params) = conditions(after: after)
        let columns = [emailColumn, nameColumn ?? "NULL"] + variables.map { "\"\($0)\"::text" }
        let key = "\(emailColumn)::text"
        return (
            "SELECT DISTINCT ON (\(key)) \(key), \(columns[1])::text\(columns.dropFirst(2).map { ", " + $0 }.joined())"
                + " FROM \(table)\(condition) ORDER BY \(key) LIMIT \(max(1, limit))",
            params
        )
    }

    private func conditions(after: String?) -> (String, [String?]) {
        var clauses: [String] = []
        var params: [String?] = []
        for (column, value) in filters {
            if let value {
                params.append(value)
                clauses.append("\(column) = $\(params.count)")
            } else {
                clauses.append("\(column) IS NULL")
            }
        }
        clauses.append("\(emailColumn) IS NOT NULL")
        if let after {
            params.append(after)
            clauses.append("\(emailColumn)::text > $\(params.count)")
        }
        return (" WHERE " + clauses.joined(separator: " AND "), params)
    }
}
