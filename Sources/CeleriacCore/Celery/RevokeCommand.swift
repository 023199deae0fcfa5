// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A `revoke` remote-control command, in the body format Celery's pidbox uses
/// (`{"method": "revoke", "arguments": {"task_id", "terminate", "signal"}, "destination"}`):
/// read from Celery's broadcast (a kombu envelope on `/<db>.celery.pidbox`) and from ours
/// (the bare body on `celeriac:control`).
public struct RevokeCommand: Sendable, Equatable {
    public var taskIDs: [String]
    /// Cancel the task if it is running (Celery's `terminate=True`).
    public var terminate: Bool
    /// Worker names the command is for; nil for every worker.
    public var destination: [String]?

    public init(taskIDs: [String], terminate: Bool, destination: [String]? = nil) {
        self.taskIDs = taskIDs
        self.terminate = terminate
        self.destination = destination
    }

    /// Reads a pub/sub payload: Celery's envelope or our bare body. Nil for anything else
    /// (other control methods such as `ping`, or a payload that is not one).
    public static func parse(_ payload: [UInt8]) -> RevokeCommand? {
        guard var json = try? JSONValue.parse(payload) else { return nil }
        if let encoded = json["body"]?.stringValue {
            guard json["properties"]?["body_encoding"]?.stringValue ?? "base64" == "base64",
                let body = Data(base64Encoded: encoded), let decoded = try? JSONValue.parse(Array(body))
            else { return nil }
            json = decoded
        }
        guard json["method"]?.stringValue == "revoke", let arguments = json["arguments"] else { return nil }
        // Celery sends one id, or a list (`revoke([id1, id2])`).
        let ids: [String]
        if let id = arguments["task_id"]?.stringValue {
            ids = [id]
        } else if let list = arguments["task_id"]?.arrayValue {
            ids = list.compactMap(\.stringValue)
        } else {
            return nil
        }
        let valid = ids.filter { !$0.isEmpty && Names.fits($0, in: Names.maxTaskID) }
        guard !valid.isEmpty else { return nil }
        return RevokeCommand(
            taskIDs: valid, terminate: arguments["terminate"]?.boolValue ?? false,
            destination: json["destination"]?.arrayValue?.compactMap(\.stringValue))
    }

    /// Whether a worker named `worker` should act on it.
    public func isFor(worker: String) -> Bool { destination.map { $0.contains(worker) } ?? true }

    /// Our bare body.
    public func encoded() -> [UInt8] {
        let ids: JSONValue = taskIDs.count == 1 ? .string(taskIDs[0]) : .array(taskIDs.map(JSONValue.string))
        var writer = JSONWriter()
        writer.write(.object([
            "method": "revoke", "arguments": .object(["task_id": ids, "terminate": .bool(terminate), "signal": "SIGTERM"]),
            "destination": destination.map { .array($0.map(JSONValue.string)) } ?? .null,
        ]))
        return writer.bytes
    }
}
