// Celeriac — a Celery-compatible job service in Swift.

/// The wire form of reports (`POST /internal/reports`), read and written through
/// ``JSONValue`` rather than `Codable`: both ends handle thousands per second.
extension TaskReport {
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(id), "state": .string(state.rawValue), "task": .string(task), "worker": .string(worker),
            "timestamp": .double(timestamp), "retries": .int(Int64(retries)),
        ]
        if let queue { object["queue"] = .string(queue) }
        if let args { object["args"] = .array(args) }
        if let kwargs { object["kwargs"] = .object(kwargs) }
        if let pid { object["pid"] = .int(Int64(pid)) }
        if let result { object["result"] = result }
        if let error { object["error"] = error.json }
        if let lease { object["lease"] = .string(lease) }
        if let startedAt { object["started_at"] = .double(startedAt) }
        return .object(object)
    }

    /// - Throws: ``Problem`` 422 pointing at the first bad field under `pointer`.
    public init(json: JSONValue, pointer: String) throws(Problem) {
        func bad(_ field: String, _ detail: String) -> Problem {
            .invalid([.init(pointer: "\(pointer)/\(field)", detail: detail)])
        }
        guard case .object(let o) = json else { throw .invalid([.init(pointer: pointer, detail: "expected object")]) }
        guard let id = o["id"]?.stringValue, !id.isEmpty, id.utf8.count <= 255 else { throw bad("id", "must be 1–255 bytes") }
        guard let state = o["state"]?.stringValue.flatMap(TaskState.init(rawValue:)) else {
            throw bad("state", "expected a task state")
        }
        guard let task = o["task"]?.stringValue else { throw bad("task", "expected string") }
        guard let worker = o["worker"]?.stringValue else { throw bad("worker", "expected string") }
        guard let timestamp = o["timestamp"]?.doubleValue else { throw bad("timestamp", "expected number") }
        var error: TaskError?
        if let value = o["error"], value != .null {
            guard let parsed = TaskError(json: value) else { throw bad("error", "expected {type, module, message, traceback}") }
            error = parsed
        }
        self.init(
            id: id, state: state, task: task, queue: o["queue"]?.stringValue, args: o["args"]?.arrayValue,
            kwargs: o["kwargs"]?.objectValue, worker: worker, pid: o["pid"]?.intValue.map { Int($0) },
            timestamp: timestamp, result: o["result"].flatMap { $0 == .null ? nil : $0 }, error: error,
            retries: Int(o["retries"]?.intValue ?? 0), lease: o["lease"]?.stringValue,
            startedAt: o["started_at"]?.doubleValue)
    }
}

extension TaskError {
    public var json: JSONValue {
        .object(["type": .string(type), "module": .string(module), "message": .string(message), "traceback": .string(traceback)])
    }

    init?(json: JSONValue) {
        guard let type = json["type"]?.stringValue, let message = json["message"]?.stringValue else { return nil }
        self.init(
            type: type, module: json["module"]?.stringValue ?? "celeriac", message: message,
            traceback: json["traceback"]?.stringValue ?? "")
    }
}

extension ReportBatch {
    public func encoded() -> [UInt8] {
        var writer = JSONWriter()
        writer.write(.object(["reports": .array(reports.map(\.json))]))
        return writer.bytes
    }

    /// - Throws: ``Problem`` 400 for text that is not JSON, 422 for JSON that is not a batch.
    public static func decode(_ bytes: [UInt8]) throws(Problem) -> ReportBatch {
        let json: JSONValue
        do {
            json = try JSONValue.parse(bytes)
        } catch {
            throw .badRequest("request body is not valid JSON: \(error.reason)")
        }
        guard let items = json["reports"]?.arrayValue else {
            throw .invalid([.init(pointer: "/reports", detail: "expected a list of task reports")])
        }
        guard items.count <= maxReports else {
            throw .invalid([.init(pointer: "/reports", detail: "more than \(maxReports) reports")])
        }
        var reports: [TaskReport] = []
        reports.reserveCapacity(items.count)
        for (index, item) in items.enumerated() { reports.append(try TaskReport(json: item, pointer: "/reports/\(index)")) }
        return ReportBatch(reports: reports)
    }
}
