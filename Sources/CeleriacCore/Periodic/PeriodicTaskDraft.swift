// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A periodic task as a client writes it (`POST`, `PUT`; a `PATCH` is merged over the stored
/// task first), checked as django-celery-beat's model and admin check it, with their messages.
@dynamicMemberLookup
public struct PeriodicTaskDraft: Sendable, Equatable {
    /// Where the schedule comes from: values (an identical row is reused, as the admin's
    /// `get_or_create` does) or an existing row's id.
    public enum Schedule: Sendable, Equatable {
        case values(ScheduleValue)
        case existing(ScheduleKind, id: Int)

        public var kind: ScheduleKind {
            switch self {
            case .values(let value): value.kind
            case .existing(let kind, _): kind
            }
        }
    }

    public var fields: PeriodicTaskFields
    public var schedule: Schedule

    public subscript<T>(dynamicMember path: KeyPath<PeriodicTaskFields, T>) -> T { fields[keyPath: path] }

    static let operation = "periodic-tasks"
    static let writable: Set<String> = [
        "name", "task", "args", "kwargs", "headers", "queue", "exchange", "routing_key", "priority", "expires",
        "expire_seconds", "one_off", "start_time", "enabled", "description",
    ]
    /// Members of the API's representation that a client may send back but not change.
    static let readOnly: Set<String> = [
        "id", "schedule_kind", "schedule_description", "next_runs", "last_run_at", "last_run", "total_run_count", "date_changed",
    ]

    /// - Throws: ``DomainError`` `invalid` listing every problem, each naming its field.
    public init(json: JSONValue) throws(DomainError) {
        guard case .object(let o) = json else {
            throw .invalid(Self.operation, [.init(pointer: "", detail: "expected object, got \(json.kindName)")])
        }
        var errors: [DomainError.FieldError] = []
        let scheduleKeys = Set(ScheduleKind.allCases.flatMap { [$0.rawValue, "\($0.rawValue)_id"] })
        for key in o.keys.sorted() where !Self.writable.contains(key) && !Self.readOnly.contains(key) && !scheduleKeys.contains(key) {
            errors.append(.init(pointer: "/\(key)", detail: "unknown field"))
        }
        func present(_ key: String) -> JSONValue? {
            guard let value = o[key], value != JSONValue.null else { return nil }
            return value
        }
        func string(_ key: String, required: Bool, max: Int?) -> String? {
            guard let value = present(key) else {
                if required { errors.append(.init(pointer: "/\(key)", detail: "This field is required.")) }
                return nil
            }
            guard let text = value.stringValue else {
                errors.append(.init(pointer: "/\(key)", detail: "expected string, got \(value.kindName)"))
                return nil
            }
            if required && text.isEmpty { errors.append(.init(pointer: "/\(key)", detail: "This field may not be blank.")) }
            if let max, text.count > max {
                errors.append(.init(pointer: "/\(key)", detail: "Ensure this value has at most \(max) characters (it has \(text.count))."))
            }
            return text
        }
        func jsonText(_ key: String, array: Bool) -> String {
            guard var value = present(key) else { return array ? "[]" : "{}" }
            // The admin's form takes JSON text; the API takes JSON, or that text.
            if let text = value.stringValue {
                guard let parsed = try? JSONValue.parse(Array(text.utf8)) else {
                    errors.append(.init(pointer: "/\(key)", detail: "Unable to parse JSON: \(text.prefix(64))"))
                    return ""
                }
                value = parsed
            }
            switch (array, value) {
            case (true, .array), (false, .object): return value.jsonText
            default:
                errors.append(.init(pointer: "/\(key)", detail: array ? "expected a JSON array" : "expected a JSON object"))
                return ""
            }
        }
        func integer(_ key: String, _ range: ClosedRange<Int64>) -> Int? {
            guard let value = present(key) else { return nil }
            guard let number = value.intValue else {
                errors.append(.init(pointer: "/\(key)", detail: "A valid integer is required."))
                return nil
            }
            if number > range.upperBound {
                errors.append(.init(pointer: "/\(key)", detail: "Ensure this value is less than or equal to \(range.upperBound)."))
            } else if number < range.lowerBound {
                errors.append(.init(pointer: "/\(key)", detail: "Ensure this value is greater than or equal to \(range.lowerBound)."))
            }
            return Int(clamping: number)
        }
        func flag(_ key: String, default value: Bool) -> Bool {
            guard let given = present(key) else { return value }
            guard let flag = given.boolValue else {
                errors.append(.init(pointer: "/\(key)", detail: "Must be a valid boolean."))
                return value
            }
            return flag
        }
        func instant(_ key: String) -> Date? {
            present(key).flatMap { EnqueueRequest.instant($0, at: "/\(key)", errors: &errors) }
        }

        let name = string("name", required: true, max: 200) ?? ""
        let task = string("task", required: true, max: 200) ?? ""
        if !task.isEmpty, let problem = Names.checkTaskName(task) { errors.append(.init(pointer: "/task", detail: problem)) }
        // Exactly one schedule: inline values or an existing row's id.
        var given: [(key: String, schedule: Schedule?)] = []
        for kind in ScheduleKind.allCases {
            if let value = present(kind.rawValue) {
                given.append((kind.rawValue, ScheduleValue.parse(kind, value, at: "/\(kind.rawValue)", errors: &errors).map(Schedule.values)))
            }
            let idKey = "\(kind.rawValue)_id"
            if let value = present(idKey) {
                if let id = value.intValue, id >= 1, id <= Int64(Int32.max) {
                    given.append((idKey, .existing(kind, id: Int(id))))
                } else {
                    errors.append(.init(pointer: "/\(idKey)", detail: "A valid integer is required."))
                    given.append((idKey, nil))
                }
            }
        }
        if given.isEmpty {
            errors.append(.init(pointer: "", detail: "One of clocked, interval, crontab, or solar must be set."))
        } else if given.count > 1 {
            for item in given {
                errors.append(.init(pointer: "/\(item.key)", detail: "Only one of clocked, interval, crontab, or solar must be set"))
            }
        }
        schedule = given.first?.schedule ?? .existing(.interval, id: 0)
        // Django's `save()` turns '' headers into NULL, which the NOT NULL column refuses: `{}` is
        // the empty value. `queue = queue or None`: '' is stored as NULL, likewise the routing.
        fields = PeriodicTaskFields(
            name: name, task: task, args: jsonText("args", array: true), kwargs: jsonText("kwargs", array: false),
            headers: jsonText("headers", array: false),
            queue: string("queue", required: false, max: 200).flatMap { $0.isEmpty ? nil : $0 },
            exchange: string("exchange", required: false, max: 200).flatMap { $0.isEmpty ? nil : $0 },
            routingKey: string("routing_key", required: false, max: 200).flatMap { $0.isEmpty ? nil : $0 },
            priority: integer("priority", 0...255), expires: instant("expires"),
            expireSeconds: integer("expire_seconds", 0...Int64(Int32.max)), oneOff: flag("one_off", default: false),
            startTime: instant("start_time"), enabled: flag("enabled", default: true),
            description: string("description", required: false, max: nil) ?? "")
        if given.count == 1, schedule.kind == .clocked, !fields.oneOff {
            errors.append(.init(pointer: "/one_off", detail: "clocked must be one off, one_off must set True"))
        }
        if fields.expires != nil && fields.expireSeconds != nil {
            errors.append(.init(pointer: "/expire_seconds", detail: "Only one can be set, in expires and expire_seconds"))
        }
        guard errors.isEmpty else { throw .invalid(Self.operation, errors) }
    }

    /// `patch` merged over `stored` (its API representation): a schedule in the patch replaces
    /// the stored one whatever its kind.
    public static func merged(_ stored: JSONValue, patch: JSONValue) throws(DomainError) -> JSONValue {
        guard case .object(let changes) = patch else {
            throw .invalid(operation, [.init(pointer: "", detail: "expected object, got \(patch.kindName)")])
        }
        var object = stored.objectValue ?? [:]
        let scheduleKeys = ScheduleKind.allCases.flatMap { [$0.rawValue, "\($0.rawValue)_id"] }
        if changes.keys.contains(where: scheduleKeys.contains) {
            for key in scheduleKeys { object[key] = nil }
        }
        object.merge(changes) { _, new in new }
        return .object(object)
    }
}
