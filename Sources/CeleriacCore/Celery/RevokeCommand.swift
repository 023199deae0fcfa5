// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A `revoke` remote-control command as Celery's pidbox broadcasts it on
/// `/<db>.celery.pidbox`: a kombu envelope whose body is
/// `{"method": "revoke", "arguments": {"task_id", "terminate", "signal"}, "destination"}`.
/// Our API sends it the same way, so Celery workers sharing the queues obey it too.
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

    /// Reads a pub/sub payload: the envelope, or a bare body. Nil for anything else
    /// (other control methods such as `ping`, or a payload that is not one).
    public static func parse(_ payload: [UInt8]) -> RevokeCommand? {
        guard let json = PidboxMessage.open(payload)?.body else { return nil }
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

    /// The kombu envelope Celery's `app.control.revoke` publishes (key order as captured);
    /// Celery workers drop it once `expires` (Unix seconds) has passed.
    public func envelope(deliveryTag: String, expires: Date) -> [UInt8] {
        let ids: JSONValue = taskIDs.count == 1 ? .string(taskIDs[0]) : .array(taskIDs.map(JSONValue.string))
        return PidboxMessage.envelope(
            .object([
                "method": "revoke", "arguments": .object(["task_id": ids, "terminate": .bool(terminate), "signal": "SIGTERM"]),
                "destination": destination.map { .array($0.map(JSONValue.string)) } ?? .null, "pattern": .null, "matcher": .null,
            ]), deliveryTag: deliveryTag, expires: expires)
    }
}
