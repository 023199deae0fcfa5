// Celeriac — a Celery-compatible job service in Swift.

/// The wire form of reports (`POST /internal/reports`), read through ``JSONValue`` and
/// written straight to bytes rather than with `Codable`: both ends handle thousands per second.
extension TaskReport {
    /// Writes the report as a JSON object, keys in sorted order, straight to `writer`: no
    /// `JSONValue` tree built first (a worker writes thousands per second).
    public func write(to writer: inout JSONWriter) {
        var first = true
        func key(_ name: StaticString, _ writer: inout JSONWriter) {
            writer.raw(first ? "{\"" : ", \"")
            first = false
            writer.raw(name)
            writer.raw("\": ")
        }
        if let args { key("args", &writer); writer.write(.array(args)) }
        if let error { key("error", &writer); writer.write(error.json) }
        key("id", &writer); writer.writeString(id)
        if let kwargs { key("kwargs", &writer); writer.write(.object(kwargs)) }
        if let lease { key("lease", &writer); writer.writeString(lease) }
        if let pid { key("pid", &writer); writer.write(.int(Int64(pid))) }
        if let queue { key("queue", &writer); writer.writeString(queue) }
        if let result { key("result", &writer); writer.write(result) }
        key("retries", &writer); writer.write(.int(Int64(retries)))
        if let retryAt { key("retry_at", &writer); writer.write(.double(retryAt)) }
        if let startedAt { key("started_at", &writer); writer.write(.double(startedAt)) }
        key("state", &writer); writer.writeString(state.rawValue)
        key("task", &writer); writer.writeString(task)
        key("timestamp", &writer); writer.write(.double(timestamp))
        key("worker", &writer); writer.writeString(worker)
        writer.raw("}")
    }

    /// What `retries` and `pid` may be: a 32-bit count, never negative.
    public static let counts: ClosedRange<Int64> = 0...Int64(Int32.max)

    /// - Throws: ``DomainError`` `invalid` pointing at the first bad field under `pointer`.
    public init(json: JSONValue, pointer: String) throws(DomainError) {
        func bad(_ field: String, _ detail: String) -> DomainError {
            .invalid(ReportBatch.operation, [.init(pointer: "\(pointer)/\(field)", detail: detail)])
        }
        guard case .object(let o) = json else {
            throw .invalid(ReportBatch.operation, [.init(pointer: pointer, detail: "expected object")])
        }
        /// The field's value; nil when absent or null; `bad` when it is there but fails `read`.
        func optional<T>(_ field: String, _ expected: String, _ read: (JSONValue) -> T?) throws(DomainError) -> T? {
            guard let value = o[field], value != .null else { return nil }
            guard let typed = read(value) else { throw bad(field, "expected \(expected)") }
            return typed
        }
        func time(_ value: JSONValue) -> Double? {
            value.doubleValue.flatMap { (0...CeleryTime.latest).contains($0) ? $0 : nil }
        }
        guard let id = o["id"]?.stringValue, !id.isEmpty, Names.fits(id, in: Names.maxTaskID) else {
            throw bad("id", "must be 1–255 characters")
        }
        guard let state = o["state"]?.stringValue.flatMap(TaskState.init(rawValue:)) else {
            throw bad("state", "expected a task state")
        }
        guard let task = o["task"]?.stringValue else { throw bad("task", "expected string") }
        guard let worker = o["worker"]?.stringValue else { throw bad("worker", "expected string") }
        let seconds = "Unix seconds from 0 to \(Int(CeleryTime.latest)) (year 9999)"
        guard let timestamp = try optional("timestamp", seconds, time) else { throw bad("timestamp", "expected \(seconds)") }
        func count(_ value: JSONValue) -> Int? { value.intValue.flatMap { Self.counts.contains($0) ? Int($0) : nil } }
        let counted = "integer from 0 to \(Self.counts.upperBound)"
        guard let retries = try optional("retries", counted, count) else { throw bad("retries", "expected \(counted)") }
        self.init(
            id: id, state: state, task: task, queue: try optional("queue", "string or null", \.stringValue),
            args: try optional("args", "array or null", \.arrayValue),
            kwargs: try optional("kwargs", "object or null", \.objectValue), worker: worker,
            pid: try optional("pid", "\(counted) or null", count),
            timestamp: timestamp, result: o["result"].flatMap { $0 == JSONValue.null ? Optional<JSONValue>.none : $0 },
            error: try optional("error", "{type, module, message, traceback} or null", TaskError.init(json:)),
            retries: retries, lease: try optional("lease", "string or null", \.stringValue),
            startedAt: try optional("started_at", "\(seconds) or null", time),
            retryAt: try optional("retry_at", "\(seconds) or null", time))
    }
}

extension TaskError {
    public var json: JSONValue {
        .object(["type": .string(type), "module": .string(module), "message": .string(message), "traceback": .string(traceback)])
    }

    /// Nil unless `type` and `message` are strings, and `module` and `traceback` strings when
    /// present (as openapi.yaml says; null is not a string).
    init?(json: JSONValue) {
        guard let type = json["type"]?.stringValue, let message = json["message"]?.stringValue else { return nil }
        func text(_ field: String, otherwise fallback: String) -> String? {
            guard let value = json[field] else { return fallback }
            return value.stringValue
        }
        guard let module = text("module", otherwise: "celeriac"), let traceback = text("traceback", otherwise: "") else {
            return nil
        }
        self.init(type: type, module: module, message: message, traceback: traceback)
    }
}

extension ReportBatch {
    public func encoded() -> [UInt8] {
        var writer = JSONWriter()
        writer.raw(#"{"reports": ["#)
        for (index, report) in reports.enumerated() {
            if index > 0 { writer.raw(", ") }
            report.write(to: &writer)
        }
        writer.raw("]}")
        return writer.bytes
    }

    static let operation = "reports"

    /// - Throws: ``DomainError`` `malformed` for text that is not JSON, `invalid` for JSON
    ///   that is not a batch.
    public static func decode(_ bytes: [UInt8]) throws(DomainError) -> ReportBatch {
        let json: JSONValue
        do {
            json = try JSONValue.parse(bytes)
        } catch {
            throw .malformed(operation, "request body is not valid JSON: \(error.reason)")
        }
        guard let items = json["reports"]?.arrayValue else {
            throw .invalid(operation, [.init(pointer: "/reports", detail: "expected a list of task reports")])
        }
        guard items.count <= maxReports else {
            throw .invalid(operation, [.init(pointer: "/reports", detail: "more than \(maxReports) reports")])
        }
        var reports: [TaskReport] = []
        reports.reserveCapacity(items.count)
        for (index, item) in items.enumerated() { reports.append(try TaskReport(json: item, pointer: "/reports/\(index)")) }
        return ReportBatch(reports: reports)
    }
}
