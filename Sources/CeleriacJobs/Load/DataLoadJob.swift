// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
import CeleriacHTTP
import CeleriacPostgres
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `data.load(load, params={})`: pages of JSON or CSV records from the HTTP source a
/// configured load names (``DataLoadSpec``), upserted into its table in batches, one
/// transaction per page. After each page the cursor (the next page and the counts so far)
/// goes to the task's ledger, so a retried or restarted task resumes there; the upsert makes
/// a page loaded twice harmless. Result `{rows, pages, inserted, updated, duration_s}`.
public struct DataLoadJob: Job {
    public let name = "data.load"
    let loads: [String: DataLoadSpec]

    public init(loads: [String: DataLoadSpec] = [:]) { self.loads = loads }

    public var spec: JobSpec {
        JobSpec(
            name: name, summary: "Loads pages of JSON or CSV records from HTTP into a PostgreSQL table (upsert), resumable.",
            schema: JobSchema([
                .init("load", .string, required: true, maxLength: 128, summary: "a load of CELERIAC_DATA_LOADS"),
                .init("params", .object, default: .object([:]), maxLength: 50, summary: "query parameters added to the source URL"),
            ]),
            timeLimit: 3600, retry: RetryPolicy(maxRetries: 5, backoff: 10, backoffMax: 300))
    }

    static func refuse(_ message: String, type: String = "ValueError") -> JobFailure {
        JobFailure(type: type, module: "celeriac.jobs", message: message, retryable: false)
    }

    public func run(_ invocation: JobInvocation) async throws -> JSONValue {
        let arguments = try invocation.arguments(spec.schema)
        let name = arguments["load"]?.stringValue ?? ""
        guard let load = loads[name] else {
            let known = loads.keys.sorted().joined(separator: ", ")
            throw Self.refuse("no load \(name) (CELERIAC_DATA_LOADS has: \(known.isEmpty ? "none" : known))")
        }
        var params: [String: String] = [:]
        for (key, value) in arguments["params"]?.objectValue ?? [:] {
            switch value {
            case .string(let text): params[key] = text
            case .int(let number): params[key] = String(number)
            case .bool(let flag): params[key] = flag ? "true" : "false"
            default: throw JobFailure.badArgument("params: \(key.prefix(64)) must be a string, an integer or a boolean")
            }
        }
        let database = DatabaseClients.client(url: try invocation.secrets.value(load.database), name: "pg-jobs")
        var cursor = (try await invocation.ledger.read())["load"]
            .flatMap { try? JSONValue.parse(Array($0.utf8)) }.flatMap(LoadCursor.init(json:))
            ?? LoadCursor(next: load.firstPage(params: params))
        let started = ContinuousClock.now
        while let url = cursor.next, cursor.pages < load.maxPages {
            try Task.checkCancellation()
            let number = cursor.pages + 1
            let (body, records) = try await fetch(url, page: number, load: load, http: invocation.http)
            let (inserted, updated) = try await upsert(records, page: number, load: load, database: database)
            cursor.pages += 1
            cursor.rows += records.count
            cursor.inserted += inserted
            cursor.updated += updated
            cursor.next = load.nextPage(after: url, index: cursor.pages - 1, records: records.count, body: body, params: params)
            try await invocation.ledger.write(["load": cursor.json.jsonText])
            invocation.progress(current: Double(cursor.rows), message: "page \(cursor.pages): \(cursor.rows) rows")
        }
        return .object([
            "rows": .int(Int64(cursor.rows)), "pages": .int(Int64(cursor.pages)), "inserted": .int(Int64(cursor.inserted)),
            "updated": .int(Int64(cursor.updated)),
            "duration_s": .double(Double((ContinuousClock.now - started).wholeMilliseconds) / 1000),
        ])
    }

    /// One page: its parsed body (JSON sources) and its records as parameter rows.
    private func fetch(_ url: String, page: Int, load: DataLoadSpec, http: HTTPClient) async throws -> (JSONValue?, [[String?]]) {
        let response: HTTPClientResponse
        do {
            response = try await http.send(
                HTTPClientRequest(url: url, headers: load.headers.sorted { $0.key < $1.key }, timeout: .seconds(60), maxResponseBytes: 64 << 20))
        } catch {
            throw JobRetry(reason: "page \(page) (\(url)): \(error)")
        }
        if response.status >= 500 || response.status == 429 { throw JobRetry(reason: "page \(page) (\(url)): HTTP \(response.status)") }
        guard (200..<300).contains(response.status) else {
            throw Self.refuse("page \(page) (\(url)): HTTP \(response.status)", type: "HTTPError")
        }
        do {
            switch load.format {
            case .json:
                guard let body = try? JSONValue.parse(response.body, limits: .lenient) else {
                    throw Self.refuse("page \(page) (\(url)): the body is not JSON")
                }
                guard case .array(let items)? = load.records.value(in: body) else {
                    throw Self.refuse("page \(page) (\(url)): no list of records at \(load.records.tokens.isEmpty ? "the top" : "/" + load.records.tokens.joined(separator: "/"))")
                }
                return (body, try items.enumerated().map { (index, item) throws(JobFailure) in
                    do { return try load.values(of: item) } catch { throw Self.refuse("page \(page), record \(index + 1): \(error)") }
                })
            case .csv:
                let rows: [[String: String]]
                do { rows = try CSVTable.records(response.body) } catch { throw Self.refuse("page \(page) (\(url)): \(error)") }
                return (nil, try rows.enumerated().map { (index, row) throws(JobFailure) in
                    do { return try load.values(of: row) } catch { throw Self.refuse("page \(page), record \(index + 1): \(error)") }
                })
            }
        }
    }

    /// The page's rows in one transaction, `rowsPerStatement` at a time, a key repeated in a
    /// statement kept once (its last record). Returns (inserted, updated).
    private func upsert(_ records: [[String?]], page: Int, load: DataLoadSpec, database: PostgresClient) async throws -> (Int, Int) {
        guard !records.isEmpty else { return (0, 0) }
        do {
            return try await database.withTransaction(statementTimeout: .seconds(300)) { transaction in
                var inserted = 0, updated = 0
                var start = 0
                while start < records.count {
                    let chunk = records[start..<min(start + load.rowsPerStatement, records.count)]
                    start += chunk.count
                    var positions: [[String?]: Int] = [:]
                    var rows: [[String?]] = []
                    for row in chunk {
                        if let at = positions[load.keyOf(row)] { rows[at] = row } else {
                            positions[load.keyOf(row)] = rows.count
                            rows.append(row)
                        }
                    }
                    let result = try transaction.query(load.upsertSQL(rows: rows.count), rows.flatMap { $0 })
                    for value in result.values { if value.first == "t" { inserted += 1 } else { updated += 1 } }
                }
                return (inserted, updated)
            }
        } catch let error as PostgresError {
            if error.isRefusedStatement, case .query(let state, let message) = error {
                throw Self.refuse("page \(page): the database refused the rows: \(message) [\(state)]", type: "DataError")
            }
            throw JobRetry(reason: "page \(page): \(error)")
        }
    }

    /// The loads `CELERIAC_DATA_LOADS` names, read and checked at the worker's start.
    public static func configured(_ settings: Settings) throws(ConfigError) -> DataLoadJob {
        guard let path = settings.dataLoadsFile else { return DataLoadJob() }
        guard let data = FileManager.default.contents(atPath: path), data.count <= 1 << 20 else {
            throw ConfigError("CELERIAC_DATA_LOADS: cannot read \(path) (at most 1 MiB)")
        }
        guard let json = try? JSONValue.parse(Array(data)) else { throw ConfigError("CELERIAC_DATA_LOADS: \(path) is not JSON") }
        return DataLoadJob(loads: try DataLoadSpec.parse(json))
    }
}
