// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// kombu's envelope for Celery's remote control (pidbox): a JSON body, base64-encoded, with
/// kombu's headers and properties. Requests are published on `/<db>.celery.pidbox`; replies
/// are pushed onto the asker's reply list through the `reply.celery.pidbox` exchange.
public enum PidboxMessage {
    /// The envelope of `body` (key order as Celery's `app.control` writes it). Celery workers
    /// drop a request once `expires` (Unix seconds) has passed.
    public static func envelope(_ body: JSONValue, deliveryTag: String, expires: Date, extraHeaders: [String: JSONValue] = [:]) -> [UInt8] {
        var inner = JSONWriter(order: order)
        inner.write(body)
        var encoded: [UInt8] = []
        Base64.append(inner.bytes, to: &encoded)
        var headers: [String: JSONValue] = ["clock": 1, "expires": .double(expires.timeIntervalSince1970)]
        headers.merge(extraHeaders) { _, given in given }
        var writer = JSONWriter(order: order)
        writer.write(.object([
            "body": .string(String(decoding: encoded, as: UTF8.self)), "content-encoding": "utf-8",
            "content-type": "application/json", "headers": .object(headers),
            "properties": .object([
                "delivery_mode": 2, "delivery_info": .object(["exchange": "celery.pidbox", "routing_key": ""]), "priority": 0,
                "body_encoding": "base64", "delivery_tag": .string(deliveryTag),
            ]),
        ]))
        return writer.bytes
    }

    /// The body and headers of an envelope (or a bare JSON body); nil for anything else.
    public static func open(_ payload: [UInt8]) -> (body: JSONValue, headers: [String: JSONValue])? {
        guard let json = try? JSONValue.parse(payload) else { return nil }
        guard let encoded = json["body"]?.stringValue else { return (json, [:]) }
        guard json["properties"]?["body_encoding"]?.stringValue ?? "base64" == "base64",
            let body = Data(base64Encoded: encoded), let decoded = try? JSONValue.parse(Array(body))
        else { return nil }
        return (decoded, json["headers"]?.objectValue ?? [:])
    }

    static let order = JSONKeyOrder([
        "body", "content-encoding", "content-type", "headers", "properties", "method", "arguments", "task_id", "terminate",
        "signal", "taskinfoitems", "destination", "pattern", "matcher", "ticket", "reply_to", "clock", "expires",
        "delivery_mode", "delivery_info", "exchange", "routing_key", "priority", "body_encoding", "delivery_tag",
    ])
}

/// Celery's `registered` inquiry (`app.control.inspect().registered()`): every worker answers
/// with its task names on the asker's reply list.
public struct RegisteredInquiry: Sendable, Equatable {
    /// Matches replies to this inquiry (`headers.ticket`).
    public var ticket: String
    /// The asker's id: the reply routing key and the reply list's name.
    public var replyKey: String

    public init(ticket: String, replyKey: String) {
        self.ticket = ticket
        self.replyKey = replyKey
    }

    /// The reply exchange, and the list replies land on (kombu's `<oid>.reply.celery.pidbox`).
    public static let replyExchange = "reply.celery.pidbox"
    public var replyList: String { "\(replyKey).\(Self.replyExchange)" }
    /// kombu's binding set for the reply exchange, and this asker's member of it
    /// (`<routing key>\x06\x16<pattern>\x06\x16<queue>`): without it a reply is not routed.
    public static let bindingSet = "_kombu.binding.\(replyExchange)"
    public var bindingMember: String { "\(replyKey)\u{06}\u{16}\u{06}\u{16}\(replyList)" }

    public func envelope(deliveryTag: String, expires: Date) -> [UInt8] {
        PidboxMessage.envelope(
            .object([
                "method": "registered", "arguments": .object(["taskinfoitems": .null]), "destination": .null, "pattern": .null,
                "matcher": .null, "ticket": .string(ticket),
                "reply_to": .object(["exchange": .string(Self.replyExchange), "routing_key": .string(replyKey)]),
            ]), deliveryTag: deliveryTag, expires: expires)
    }

    /// A reply's `{worker: [task names]}` (names stripped of `taskinfoitems` details); nil
    /// when the payload is not a reply to this inquiry.
    public func names(inReply payload: [UInt8]) -> [String: [String]]? {
        guard let (body, headers) = PidboxMessage.open(payload), headers["ticket"]?.stringValue ?? ticket == ticket,
            case .object(let workers) = body
        else { return nil }
        var names: [String: [String]] = [:]
        for (worker, value) in workers {
            names[worker] = (value.arrayValue ?? []).compactMap { item in
                item.stringValue.map { String($0.prefix { $0 != " " }) }
            }.filter { !$0.isEmpty && Names.fits($0, in: 255) }
        }
        return names
    }
}
