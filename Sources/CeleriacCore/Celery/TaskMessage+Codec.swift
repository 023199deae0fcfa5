// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Why a queued message could not be read as a Celery v2 task.
public struct MalformedMessage: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "malformed message: \(reason)" }
}

extension TaskMessage {
    /// Key order kombu and Celery 5.x write: envelope, headers, properties, delivery info,
    /// embed. Keys not listed (extra headers) follow, sorted.
    static let celeryOrder = JSONKeyOrder(celeryKeyOrder)
    public static let celeryKeyOrder = [
        "body", "content-encoding", "content-type", "headers", "properties",
        "lang", "task", "id", "shadow", "eta", "expires", "group", "group_index", "retries",
        "timelimit", "root_id", "parent_id", "argsrepr", "kwargsrepr", "origin", "ignore_result",
        "replaced_task_nesting", "stamped_headers", "stamps",
        "correlation_id", "reply_to", "delivery_mode", "expiration", "delivery_info", "exchange", "routing_key",
        "priority", "body_encoding", "delivery_tag",
        "callbacks", "errbacks", "chain", "chord",
    ]

    /// Decodes the envelope kombu LPUSHed (`{"body": base64, "headers": ..., ...}`).
    ///
    /// Accepts any producer's key order and spacing. Rejects what our worker cannot run:
    /// non-JSON content types (pickle, yaml), protocol v1 bodies, missing `task`/`id`, ids
    /// longer than 255 characters.
    public static func decode(_ raw: some Collection<UInt8>) throws(MalformedMessage) -> TaskMessage {
        let envelope: JSONValue
        do { envelope = try JSONValue.parse(raw) } catch { throw MalformedMessage("envelope: \(error.reason)") }
        guard case .object(let fields) = envelope else { throw MalformedMessage("envelope is not an object") }
        let contentType = fields["content-type"]?.stringValue ?? "application/json"
        guard contentType == "application/json" else {
            throw MalformedMessage("unsupported content-type \(contentType)")
        }
        guard case .object(let headers)? = fields["headers"] else { throw MalformedMessage("no headers object") }
        guard let task = headers["task"]?.stringValue, !task.isEmpty else {
            throw MalformedMessage("no task header (protocol v1 messages are not supported)")
        }
        guard let id = headers["id"]?.stringValue, !id.isEmpty else { throw MalformedMessage("no id header") }
        // Its reports and history row could not be stored (task_id is varchar(255)).
        guard Names.fits(id, in: Names.maxTaskID) else {
            throw MalformedMessage("id header longer than 255 characters")
        }
        let properties = fields["properties"]?.objectValue ?? [:]
        guard let bodyText = fields["body"]?.stringValue else { throw MalformedMessage("body is not a string") }
        let bodyBytes: Data
        if (properties["body_encoding"]?.stringValue ?? "base64") == "base64" {
            guard let data = Data(base64Encoded: bodyText) else { throw MalformedMessage("body is not base64") }
            bodyBytes = data
        } else {
            bodyBytes = Data(bodyText.utf8)
        }
        let body: JSONValue
        do { body = try JSONValue.parse(bodyBytes) } catch { throw MalformedMessage("body: \(error.reason)") }
        guard case .array(let parts) = body, parts.count == 3 else {
            throw MalformedMessage("body is not [args, kwargs, embed]")
        }
        guard case .array(let args) = parts[0] else { throw MalformedMessage("args is not an array") }
        guard case .object(let kwargs) = parts[1] else { throw MalformedMessage("kwargs is not an object") }
        let embed: [String: JSONValue]
        switch parts[2] {
        case .object(let object): embed = object
        case .null: embed = [:]
        default: throw MalformedMessage("embed is not an object")
        }
        return TaskMessage(args: args, kwargs: kwargs, embed: embed, headers: headers, properties: properties)
    }

    /// The body `[args, kwargs, embed]` as Python-style JSON text.
    public func encodedBody() -> String {
        String(decoding: encodedBodyBytes(), as: UTF8.self)
    }

    func encodedBodyBytes() -> [UInt8] {
        var writer = JSONWriter(order: Self.celeryOrder)
        writer.write(.array([.array(args), .object(kwargs), .object(embed)]))
        return writer.bytes
    }

    /// The envelope exactly as kombu writes it: keys `body, content-encoding, content-type,
    /// headers, properties`, Python separators, ASCII-only.
    public func encoded() -> String {
        var body: [UInt8] = []
        Base64.append(encodedBodyBytes(), to: &body)
        var writer = JSONWriter(order: Self.celeryOrder)
        writer.write(.object([
            "body": .string(String(decoding: body, as: UTF8.self)), "content-encoding": "utf-8", "content-type": "application/json",
            "headers": .object(headers), "properties": .object(properties),
        ]))
        return writer.output
    }
}
