// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The `celeriac:task:<id>` hash layout: one field per record property, JSON for structured
/// values, Unix seconds for times.
extension TaskRecord {
    /// Fields written when the task is enqueued.
    public func hashFields() -> [(String, String)] {
        var fields: [(String, String)] = [
            ("task", task), ("state", state.rawValue), ("rank", String(state.rank)),
            ("args", JSONValue.array(args).jsonText), ("kwargs", JSONValue.object(kwargs).jsonText),
            ("retries", String(retries)),
        ]
        if let queue { fields.append(("queue", queue)) }
        if let createdAt { fields.append(("created_at", Self.seconds(createdAt))) }
        return fields
    }

    /// Reads a record back; nil when the hash is empty (unknown or expired task).
    public init?(id: String, hash: [String: String]) {
        guard let task = hash["task"], let state = hash["state"].flatMap(TaskState.init(rawValue:)) else { return nil }
        func json(_ key: String) -> JSONValue? { hash[key].flatMap { try? JSONValue.parse($0) } }
        func date(_ key: String) -> Date? { hash[key].flatMap(Double.init).map(Date.init(timeIntervalSince1970:)) }
        self.init(
            id: id, task: task, state: state, result: json("result") ?? .null, error: json("error").flatMap(TaskError.init(json:)),
            args: json("args")?.arrayValue ?? [], kwargs: json("kwargs")?.objectValue ?? [:], queue: hash["queue"],
            createdAt: date("created_at"), startedAt: date("started_at"), finishedAt: date("finished_at"),
            worker: hash["worker"], retries: hash["retries"].flatMap { Int($0) } ?? 0,
            crashes: hash["crashes"].flatMap { Int($0) } ?? 0, progress: json("progress"),
            retryAt: date("retry_at"))
    }

    /// Unix seconds with microseconds, the hash's time format.
    static func seconds(_ date: Date) -> String { seconds(date.timeIntervalSince1970) }
    static func seconds(_ unix: Double) -> String { ASCIIDigits.unixSeconds(unix) }
}

extension TaskReport {
    /// Fields a report sets only when the record lacks them (tasks from plain Celery clients
    /// get their record from their first report).
    public func hashFieldsIfAbsent() -> [(String, String)] {
        var fields: [(String, String)] = [("task", task), ("retries", String(retries))]
        if let args { fields.append(("args", JSONValue.array(args).jsonText)) }
        if let kwargs { fields.append(("kwargs", JSONValue.object(kwargs).jsonText)) }
        if let queue { fields.append(("queue", queue)) }
        fields.append(("created_at", TaskRecord.seconds(timestamp)))
        return fields
    }

    /// Fields a report always sets.
    public func hashFields() -> [(String, String)] {
        var fields: [(String, String)] = [("state", state.rawValue), ("worker", worker), ("retries", String(retries))]
        let at = TaskRecord.seconds(timestamp)
        switch state {
        case .started: fields += [("started_at", at), ("retry_at", "")]
        case .success, .failure, .revoked: fields += [("finished_at", at), ("retry_at", "")]
        case .retry: fields.append(("retry_at", retryAt.map(TaskRecord.seconds) ?? ""))
        default: break
        }
        if let startedAt { fields.append(("started_at", TaskRecord.seconds(startedAt))) }
        // A progress report's meta is Celery's `result` (what `AsyncResult.info` reads); the
        // record keeps it apart, so a later failure does not show it as the result.
        if let result { fields.append((state == .progress ? "progress" : "result", result.jsonText)) }
        if let error {
            fields.append(("error", error.json.jsonText))
        } else if state == .success {
            fields.append(("error", ""))  // an earlier attempt's error is no longer the task's
        }
        return fields
    }

    /// Celery's result meta for this change (what `AsyncResult` reads).
    public func resultMeta() -> ResultMeta {
        let date = Date(timeIntervalSince1970: timestamp)
        switch state {
        case .started:
            return ResultMeta(
                taskID: id, status: .started,
                result: .object(["pid": .int(Int64(pid ?? 0)), "hostname": .string(worker)]))
        case .failure, .retry, .revoked:
            return ResultMeta(
                taskID: id, status: state, result: error?.celeryResult ?? .null,
                traceback: error?.traceback, dateDone: state == .retry ? nil : date)
        default:
            return ResultMeta(taskID: id, status: state, result: result ?? .null, dateDone: state.isFinal ? date : nil)
        }
    }
}
