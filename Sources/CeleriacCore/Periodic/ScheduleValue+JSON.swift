// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Schedules read from API bodies with the checks and messages of django-celery-beat's models
/// and validators, and written back as JSON.
extension ScheduleValue {
    /// Reads a schedule of `kind` from `json`, adding each problem under `pointer`; nil if any.
    /// Omitted crontab fields are `*` (the model's defaults), an omitted zone is UTC.
    public static func parse(
        _ kind: ScheduleKind, _ json: JSONValue, at pointer: String, errors: inout [DomainError.FieldError]
    ) -> ScheduleValue? {
        guard case .object(let o) = json else {
            errors.append(.init(pointer: pointer, detail: "expected object, got \(json.kindName)"))
            return nil
        }
        let before = errors.count
        let allowed = fields[kind, default: []].union(["id"])
        for key in o.keys.sorted() where !allowed.contains(key) {
            errors.append(.init(pointer: "\(pointer)/\(key)", detail: "unknown field"))
        }
        func text(_ key: String) -> String? {
            guard let value = o[key], value != .null else { return nil }
            guard let string = value.stringValue else {
                errors.append(.init(pointer: "\(pointer)/\(key)", detail: "expected string, got \(value.kindName)"))
                return nil
            }
            return string
        }
        func number(_ key: String, _ range: ClosedRange<Double>) -> Double? {
            guard let value = o[key], value != .null else {
                errors.append(.init(pointer: "\(pointer)/\(key)", detail: "This field is required."))
                return nil
            }
            // numeric(9,6) columns take strings too, as Django's DecimalField does.
            guard let number = value.doubleValue ?? value.stringValue.flatMap(Double.init), number.isFinite else {
                errors.append(.init(pointer: "\(pointer)/\(key)", detail: "A valid number is required."))
                return nil
            }
            if number > range.upperBound {
                errors.append(.init(pointer: "\(pointer)/\(key)", detail: "Ensure this value is less than or equal to \(Int(range.upperBound))."))
            } else if number < range.lowerBound {
                errors.append(.init(pointer: "\(pointer)/\(key)", detail: "Ensure this value is greater than or equal to \(Int(range.lowerBound))."))
            }
            return number
        }
        let value: ScheduleValue?
        switch kind {
        case .crontab:
            var crontab = CrontabValue()
            for field in CrontabFieldCheck.Field.allCases {
                guard let given = text(field.rawValue) else { continue }
                if given.count > field.maxLength {
                    errors.append(.init(
                        pointer: "\(pointer)/\(field.rawValue)",
                        detail: "Ensure this value has at most \(field.maxLength) characters (it has \(given.count))."))
                } else if let problem = CrontabFieldCheck.problem(given, field: field) {
                    errors.append(.init(pointer: "\(pointer)/\(field.rawValue)", detail: problem))
                }
                switch field {
                case .minute: crontab.minute = given
                case .hour: crontab.hour = given
                case .dayOfMonth: crontab.dayOfMonth = given
                case .monthOfYear: crontab.monthOfYear = given
                case .dayOfWeek: crontab.dayOfWeek = given
                }
            }
            if let zone = text("timezone") {
                if zone.count > 63 || TimeZone(identifier: zone) == nil || !zone.contains(where: \.isLetter) {
                    errors.append(.init(pointer: "\(pointer)/timezone", detail: "Invalid timezone '\(zone)'"))
                }
                crontab.timezone = zone
            }
            value = .crontab(crontab)
        case .interval:
            var every = 0
            switch o["every"] {
            case let given? where given.intValue != nil:
                every = Int(clamping: given.intValue!)
                if every < 1 {
                    errors.append(.init(pointer: "\(pointer)/every", detail: "Ensure this value is greater than or equal to 1."))
                } else if every > Int(Int32.max) {
                    errors.append(.init(pointer: "\(pointer)/every", detail: "Ensure this value is less than or equal to \(Int32.max)."))
                }
            case nil, .null?:
                errors.append(.init(pointer: "\(pointer)/every", detail: "This field is required."))
            default:
                errors.append(.init(pointer: "\(pointer)/every", detail: "A valid integer is required."))
            }
            var period = IntervalPeriod.seconds
            if let given = text("period") {
                if let known = IntervalPeriod(rawValue: given) { period = known } else {
                    errors.append(.init(pointer: "\(pointer)/period", detail: "Value '\(given)' is not a valid choice."))
                }
            } else if o["period"] == nil || o["period"] == .null {
                errors.append(.init(pointer: "\(pointer)/period", detail: "This field is required."))
            }
            value = .interval(IntervalValue(every: every, period: period))
        case .clocked:
            var date = Date(timeIntervalSince1970: 0)
            if let value = o["clocked_time"], value != .null {
                if let parsed = EnqueueRequest.instant(value, at: "\(pointer)/clocked_time", errors: &errors) { date = parsed }
            } else {
                errors.append(.init(pointer: "\(pointer)/clocked_time", detail: "This field is required."))
            }
            value = .clocked(ClockedValue(clockedTime: date))
        case .solar:
            var event = SolarEvent.sunrise
            if let given = text("event") {
                if let known = SolarEvent(rawValue: given) { event = known } else {
                    errors.append(.init(pointer: "\(pointer)/event", detail: "Value '\(given)' is not a valid choice."))
                }
            } else if o["event"] == nil || o["event"] == .null {
                errors.append(.init(pointer: "\(pointer)/event", detail: "This field is required."))
            }
            // Out of range is an error above; clamped, the value stays a number a row can hold.
            let latitude = min(max(number("latitude", -90...90) ?? 0, -90), 90)
            let longitude = min(max(number("longitude", -180...180) ?? 0, -180), 180)
            value = .solar(SolarValue(event: event, latitude: latitude, longitude: longitude))
        }
        return errors.count == before ? value : nil
    }

    static let fields: [ScheduleKind: Set<String>] = [
        .crontab: Set(CrontabFieldCheck.Field.allCases.map(\.rawValue) + ["timezone"]),
        .interval: ["every", "period"],
        .clocked: ["clocked_time"],
        .solar: ["event", "latitude", "longitude"],
    ]

    /// The schedule's fields as JSON (without its id).
    public var fieldsJSON: [String: JSONValue] {
        switch self {
        case .crontab(let c):
            [
                "minute": .string(c.minute), "hour": .string(c.hour), "day_of_week": .string(c.dayOfWeek),
                "day_of_month": .string(c.dayOfMonth), "month_of_year": .string(c.monthOfYear),
                "timezone": .string(c.timezone),
            ]
        case .interval(let i): ["every": .int(Int64(i.every)), "period": .string(i.period.rawValue)]
        case .clocked(let c): ["clocked_time": .string(CeleryTime.format(c.clockedTime))]
        case .solar(let s):
            ["event": .string(s.event.rawValue), "latitude": .double(s.latitude), "longitude": .double(s.longitude)]
        }
    }
}
