// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The form a history entry takes in the Redis outbox (`celeriac:history-outbox`), where the
/// report script puts it in the same step that applies the report: JSON, short keys, times as
/// Unix seconds.
extension HistoryEntry {
    public func outboxRecord() -> [UInt8] {
        var fields: [String: JSONValue] = [
            "id": .string(taskID), "s": .string(status.rawValue), "at": .double(at.timeIntervalSince1970),
        ]
        func put(_ key: String, _ value: String?) { if let value { fields[key] = .string(value) } }
        put("r", result)
        put("tb", traceback)
        put("n", taskName)
        put("a", taskArgs)
        put("k", taskKwargs)
        put("w", worker)
        put("q", queue)
        if let startedAt { fields["st"] = .double(startedAt.timeIntervalSince1970) }
        var writer = JSONWriter()
        writer.write(.object(fields))
        return writer.bytes
    }

    /// Reads ``outboxRecord()`` back; nil for anything else.
    public init?(outboxRecord bytes: [UInt8]) {
        guard let json = try? JSONValue.parse(bytes), let id = json["id"]?.stringValue,
            let status = json["s"]?.stringValue.flatMap(TaskState.init(rawValue:)), let at = json["at"]?.doubleValue
        else { return nil }
        self.init(
            taskID: id, status: status, result: json["r"]?.stringValue, traceback: json["tb"]?.stringValue,
            taskName: json["n"]?.stringValue, taskArgs: json["a"]?.stringValue, taskKwargs: json["k"]?.stringValue,
            worker: json["w"]?.stringValue, at: Date(timeIntervalSince1970: at),
            startedAt: json["st"]?.doubleValue.map(Date.init(timeIntervalSince1970:)), queue: json["q"]?.stringValue)
    }
}
