// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

extension TaskMessage {
    /// What a new task's envelope is made of.
    public struct NewTask: Sendable {
        public var id: String
        public var task: String
        public var args: [JSONValue]
        public var kwargs: [String: JSONValue]
        public var options: TaskOptions
        /// `gen<pid>@<hostname>` of the sender.
        public var origin: String
        /// The producer's constant `oid` (a UUID).
        public var replyTo: String
        /// A fresh UUID for this publish.
        public var deliveryTag: String
        /// When it is sent: `properties.expiration` counts from here to `options.expires`.
        public var sentAt: Date
        /// `repr(tuple(args))` and `repr(kwargs)`; computed once and reused for the history row.
        public var argsrepr: String
        public var kwargsrepr: String

        public init(
            id: String, task: String, args: [JSONValue], kwargs: [String: JSONValue], options: TaskOptions,
            origin: String, replyTo: String, deliveryTag: String, sentAt: Date
        ) {
            self.id = id
            self.task = task
            self.args = args
            self.kwargs = kwargs
            self.options = options
            self.origin = origin
            self.replyTo = replyTo
            self.deliveryTag = deliveryTag
            self.sentAt = sentAt
            argsrepr = PythonRepr.tuple(args)
            kwargsrepr = PythonRepr.of(.object(kwargs))
        }
    }

    /// The envelope of a new task exactly as `celery.app.amqp.as_task_v2` and kombu's Redis
    /// transport write it (key order, Python separators, ASCII only), straight into bytes:
    /// the enqueue path builds and sorts no header dictionaries, which was the largest share
    /// of its CPU time. The only writer of a new task's layout (beat, the API and jobs all
    /// publish through ``TaskPublisher``, which calls this).
    public static func envelope(_ new: NewTask) -> [UInt8] {
        let options = new.options
        var body = JSONWriter(order: celeryOrder)
        body.raw("[")
        body.write(.array(new.args))
        body.raw(", ")
        body.write(.object(new.kwargs))
        body.raw(#", {"callbacks": null, "errbacks": null, "chain": null, "chord": null}]"#)
        var base64: [UInt8] = []
        Base64.append(body.bytes, to: &base64)

        // The fixed text is ~620 bytes: sized once, the buffer is not regrown (and copied)
        // twice on its way past 1 KiB.
        let variable = [new.task, new.id, new.id, new.argsrepr, new.kwargsrepr, new.origin, new.id, new.replyTo,
                        options.queue, new.deliveryTag].reduce(0) { $0 + $1.utf8.count }  // as written below
        var out = JSONWriter(order: celeryOrder, capacity: 1024 + base64.count + variable)
        out.raw(#"{"body": ""#)
        out.raw(base64)
        out.raw(#"", "content-encoding": "utf-8", "content-type": "application/json", "headers": {"lang": "py", "task": "#)
        out.writeString(new.task)
        out.raw(#", "id": "#)
        out.writeString(new.id)
        out.raw(#", "shadow": "#)
        out.writeOptionalString(options.shadow)
        out.raw(#", "eta": "#)
        out.writeOptionalString(options.eta.map(CeleryTime.format))
        out.raw(#", "expires": "#)
        out.writeOptionalString(options.expires.map(CeleryTime.format))
        out.raw(#", "group": "#)
        out.writeOptionalString(options.group)
        out.raw(#", "group_index": "#)
        out.write(options.groupIndex.map { .int(Int64($0)) } ?? .null)
        out.raw(#", "retries": "#)
        out.write(.int(Int64(options.retries)))
        out.raw(#", "timelimit": ["#)
        out.write(seconds(options.timeLimit))
        out.raw(", ")
        out.write(seconds(options.softTimeLimit))
        out.raw(#"], "root_id": "#)
        out.writeString(options.rootID ?? new.id)
        out.raw(#", "parent_id": "#)
        out.writeOptionalString(options.parentID)
        out.raw(#", "argsrepr": "#)
        out.writeString(new.argsrepr)
        out.raw(#", "kwargsrepr": "#)
        out.writeString(new.kwargsrepr)
        out.raw(#", "origin": "#)
        out.writeString(new.origin)
        out.raw(options.ignoreResult ? #", "ignore_result": true"# : #", "ignore_result": false"#)
        out.raw(#", "replaced_task_nesting": 0, "stamped_headers": null, "stamps": {}"#)
        // Celery appends `apply_async(headers=...)` after its own headers.
        for name in options.headers.keys.sorted() where !TaskOptions.celeryHeaderNames.contains(name) {
            out.raw(", ")
            out.writeString(name)
            out.raw(": ")
            out.write(options.headers[name]!)
        }
        out.raw(#"}, "properties": {"correlation_id": "#)
        out.writeString(new.id)
        out.raw(#", "reply_to": "#)
        out.writeString(new.replyTo)
        out.raw(#", "delivery_mode": 2"#)
        if let expires = options.expires {
            // kombu: str(int(seconds_left * 1000)); Celery clamps a past expiry to 0.
            out.raw(#", "expiration": "#)
            out.writeString(String(Int64(max(0, expires.timeIntervalSince(new.sentAt)) * 1000)))
        }
        out.raw(#", "delivery_info": {"exchange": "", "routing_key": "#)
        out.writeString(options.queue)
        out.raw(#"}, "priority": "#)
        out.write(.int(Int64(options.priority)))
        out.raw(#", "body_encoding": "base64", "delivery_tag": "#)
        out.writeString(new.deliveryTag)
        out.raw("}}")
        return out.bytes
    }

    /// A time limit as Celery writes it: an integer when whole (`60`), else a float, or null.
    private static func seconds(_ value: Double?) -> JSONValue {
        guard let value else { return .null }
        if value.rounded() == value, abs(value) < 1e15 { return .int(Int64(value)) }
        return .double(value)
    }
}

extension JSONWriter {
    /// A string, or `null` for nil.
    mutating func writeOptionalString(_ value: String?) {
        if let value { writeString(value) } else { raw("null") }
    }
}
