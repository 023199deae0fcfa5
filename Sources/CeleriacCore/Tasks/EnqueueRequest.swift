// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A validated `POST /tasks` body.
public struct EnqueueRequest: Sendable, Equatable {
    public var task: String
    public var args: [JSONValue]
    public var kwargs: [String: JSONValue]
    public var queue: String
    public var priority: Int
    /// Not before: `countdown` seconds from when it is published, or an instant (`eta`).
    public var start: Start?
    /// Not after: seconds from when it is published, or an instant (`expires`).
    public var expiry: Expiry?
    /// Hard and soft time limits, seconds (Celery's `time_limit`, `soft_time_limit`).
    public var timeLimit: Double?
    public var softTimeLimit: Double?
    /// Retries after a job error (``RetryPolicy``); nil: none.
    public var retry: RetryPolicy?
    /// Headers of the caller's own, carried in the message after Celery's.
    public var headers: [String: JSONValue]

    public enum Start: Sendable, Equatable {
        case countdown(Double)
        case eta(Date)
    }

    public enum Expiry: Sendable, Equatable {
        case after(Double)
        case at(Date)
    }

    public static let fields: Set<String> = [
        "task", "args", "kwargs", "queue", "priority", "countdown", "eta", "expires", "time_limit", "soft_time_limit",
        "retry", "headers",
    ]
    /// Longest delay (`countdown`, relative `expires`) and time limit accepted: a year.
    public static let maxSeconds = 365.0 * 86_400

    /// Validates a parsed body, collecting every field error at once.
    ///
    /// - Throws: ``DomainError`` `invalid` listing each bad field (wrong type, empty or
    ///   over-long task name, unknown field, out-of-range priority).
    public init(json: JSONValue) throws(DomainError) {
        guard case .object(let body) = json else {
            throw .invalid(Self.operation, [.init(pointer: "", detail: "expected object, got \(json.kindName)")])
        }
        var errors: [DomainError.FieldError] = []
        for key in body.keys.sorted() where !Self.fields.contains(key) {
            errors.append(.init(pointer: "/\(Self.escape(key))", detail: "unknown field"))
        }
        var task = ""
        switch body["task"] {
        case .string(let name)?:
            task = name
            if let problem = Names.checkTaskName(name) { errors.append(.init(pointer: "/task", detail: problem)) }
        case nil: errors.append(.init(pointer: "/task", detail: "required"))
        case let other?: errors.append(.init(pointer: "/task", detail: "expected string, got \(other.kindName)"))
        }
        var args: [JSONValue] = []
        switch body["args"] {
        case .array(let a)?: args = a
        case nil, .null?: break
        case let other?: errors.append(.init(pointer: "/args", detail: "expected array, got \(other.kindName)"))
        }
        var kwargs: [String: JSONValue] = [:]
        switch body["kwargs"] {
        case .object(let o)?: kwargs = o
        case nil, .null?: break
        case let other?: errors.append(.init(pointer: "/kwargs", detail: "expected object, got \(other.kindName)"))
        }
        var queue = TaskOptions.defaultQueue
        switch body["queue"] {
        case .string(let q)?:
            queue = q
            if let problem = Names.checkQueueName(q) { errors.append(.init(pointer: "/queue", detail: problem)) }
        case nil, .null?: break
        case let other?: errors.append(.init(pointer: "/queue", detail: "expected string, got \(other.kindName)"))
        }
        var priority = 0
        switch body["priority"] {
        case nil, .null?: break
        case let value?:
            // JSON Schema's integer: 5.0 is 5 (a Python client may send a float).
            if let p = value.intValue, (0...9).contains(p) {
                priority = Int(p)
            } else {
                errors.append(.init(pointer: "/priority", detail: "expected integer 0–9 (0 is served first)"))
            }
        }
        var start: Start?
        if let value = body["countdown"], value != .null {
            if let seconds = Self.seconds(value, allowZero: true) {
                start = .countdown(seconds)
            } else {
                errors.append(.init(pointer: "/countdown", detail: "expected seconds from 0 to \(Int(Self.maxSeconds))"))
            }
        }
        if body["countdown"] != nil && body["eta"] != nil {
            errors.append(.init(pointer: "/eta", detail: "give countdown or eta, not both"))
        } else if let value = body["eta"], value != .null {
            if let date = Self.instant(value, at: "/eta", errors: &errors) { start = .eta(date) }
        }
        var expiry: Expiry?
        if let value = body["expires"], value != .null {
            if case .string = value {
                if let date = Self.instant(value, at: "/expires", errors: &errors) { expiry = .at(date) }
            } else if let seconds = Self.seconds(value, allowZero: false) {
                expiry = .after(seconds)
            } else {
                errors.append(.init(
                    pointer: "/expires", detail: "expected seconds above 0 up to \(Int(Self.maxSeconds)), or an RFC 3339 time"))
            }
        }
        /// A time limit; a soft one above the hard one is allowed (the hard limit fires first, as in Celery).
        func limit(_ field: String) -> Double? {
            guard let value = body[field], value != .null else { return nil }
            guard let seconds = Self.seconds(value, allowZero: false) else {
                errors.append(.init(pointer: "/\(field)", detail: "expected seconds above 0 up to \(Int(Self.maxSeconds))"))
                return nil
            }
            return seconds
        }
        let timeLimit = limit("time_limit")
        let softTimeLimit = limit("soft_time_limit")
        var retry: RetryPolicy?
        if let value = body["retry"], value != .null {
            retry = RetryPolicy.parse(value, at: "/retry", errors: &errors)
        }
        var headers: [String: JSONValue] = [:]
        switch body["headers"] {
        case .object(let given)?:
            headers = given
            for name in given.keys.sorted() where name.isEmpty || TaskOptions.reservedHeaderNames.contains(name) {
                errors.append(.init(
                    pointer: "/headers/\(Self.escape(name))",
                    detail: name.isEmpty ? "header names must not be empty" : "is reserved (a Celery protocol header or celeriac_retry); set it with its own field"))
            }
        case nil, .null?: break
        case let other?: errors.append(.init(pointer: "/headers", detail: "expected object, got \(other.kindName)"))
        }
        guard errors.isEmpty else { throw .invalid(Self.operation, errors) }
        self.task = task
        self.args = args
        self.kwargs = kwargs
        self.queue = queue
        self.priority = priority
        self.start = start
        self.expiry = expiry
        self.timeLimit = timeLimit
        self.softTimeLimit = softTimeLimit
        self.retry = retry
        self.headers = headers
    }

    /// A number of seconds within 0 (or above it) ... ``maxSeconds``; nil otherwise.
    static func seconds(_ value: JSONValue, allowZero: Bool) -> Double? {
        guard let seconds = value.doubleValue, seconds.isFinite, seconds <= maxSeconds else { return nil }
        return (allowZero ? seconds >= 0 : seconds > 0) ? seconds : nil
    }

    /// An RFC 3339 time with its UTC offset (``RFC3339``); nil, with the reason added to
    /// `errors` at `pointer`, when `value` is not one.
    static func instant(_ value: JSONValue, at pointer: String, errors: inout [DomainError.FieldError]) -> Date? {
        let detail: String
        if let text = value.stringValue {
            do {
                return try RFC3339.parse(text)
            } catch .missingOffset {
                // A time without an offset means nothing on a server in another zone: say so.
                detail = "\(text.prefix(64)) has no UTC offset; add one such as Z or +09:00"
            } catch .outOfRange {
                detail = "\(text.prefix(64)) is not a valid date and time"
            } catch {
                detail = "expected an RFC 3339 time with offset, such as 2026-12-04T09:00:00+09:00"
            }
        } else {
            detail = "expected an RFC 3339 time, got \(value.kindName)"
        }
        errors.append(.init(pointer: pointer, detail: detail))
        return nil
    }

    static let operation = "enqueue"

    /// The Celery options this request asks for, with relative times counted from `now`
    /// (Celery's client turns `countdown` into an absolute `eta` the same way).
    public func options(now: Date) -> TaskOptions {
        var options = TaskOptions(
            queue: queue, priority: priority, timeLimit: timeLimit, softTimeLimit: softTimeLimit, headers: headers)
        switch start {
        case .countdown(let seconds)?: options.eta = now.addingTimeInterval(seconds)
        case .eta(let date)?: options.eta = date
        case nil: break
        }
        switch expiry {
        case .after(let seconds)?: options.expires = now.addingTimeInterval(seconds)
        case .at(let date)?: options.expires = date
        case nil: break
        }
        if let retry { options.headers[RetryPolicy.header] = retry.json }
        return options
    }

    /// JSON Pointer escaping (RFC 6901).
    static func escape(_ key: String) -> String {
        key.replacing("~", with: "~0").replacing("/", with: "~1")
    }
}

extension EnqueueRequest {
    /// The request with defaults filled in and keys sorted: two bodies that mean the same
    /// task give the same text (for `Idempotency-Key`). Relative times stay relative, so a
    /// retried request with the same `countdown` is the same request.
    public var canonicalJSON: String {
        var object: [String: JSONValue] = [
            "task": .string(task), "args": .array(args), "kwargs": .object(kwargs), "queue": .string(queue),
            "priority": .int(Int64(priority)),
        ]
        switch start {
        case .countdown(let seconds)?: object["countdown"] = .double(seconds)
        case .eta(let date)?: object["eta"] = .double(date.timeIntervalSince1970)
        case nil: break
        }
        switch expiry {
        case .after(let seconds)?: object["expires"] = .double(seconds)
        case .at(let date)?: object["expires_at"] = .double(date.timeIntervalSince1970)
        case nil: break
        }
        if let timeLimit { object["time_limit"] = .double(timeLimit) }
        if let softTimeLimit { object["soft_time_limit"] = .double(softTimeLimit) }
        if let retry { object["retry"] = retry.json }
        if !headers.isEmpty { object["headers"] = .object(headers) }
        return JSONValue.object(object).jsonText
    }
}
