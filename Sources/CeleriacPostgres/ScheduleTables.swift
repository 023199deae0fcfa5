// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How each schedule kind sits in django-celery-beat's tables: its table, columns, and the
/// text of a value's columns (parameters, never interpolated).
enum ScheduleTables {
    static func table(_ kind: ScheduleKind) -> String { "django_celery_beat_\(kind.rawValue)schedule" }

    /// The value columns, in ``parameters(_:)`` order.
    static func columns(_ kind: ScheduleKind) -> [String] {
        switch kind {
        case .crontab: ["minute", "hour", "day_of_week", "day_of_month", "month_of_year", "timezone"]
        case .interval: ["every", "period"]
        case .clocked: ["clocked_time"]
        case .solar: ["event", "latitude", "longitude"]
        }
    }

    /// Casts that make the text parameters compare with the columns.
    static func casts(_ kind: ScheduleKind) -> [String] {
        switch kind {
        case .crontab: Array(repeating: "", count: 6)
        case .interval: ["::integer", ""]
        case .clocked: ["::timestamptz"]
        case .solar: ["", "::numeric", "::numeric"]
        }
    }

    static func parameters(_ value: ScheduleValue) -> [String?] {
        switch value {
        case .crontab(let c): [c.minute, c.hour, c.dayOfWeek, c.dayOfMonth, c.monthOfYear, c.timezone]
        case .interval(let i): [String(i.every), i.period.rawValue]
        case .clocked(let c): [CeleryTime.format(c.clockedTime)]
        case .solar(let s): [s.event.rawValue, SolarValue.decimal(s.latitudeMicro), SolarValue.decimal(s.longitudeMicro)]
        }
    }

    /// Select list reading a row of `kind` back (times as Unix seconds, numbers as text).
    static func selectList(_ kind: ScheduleKind, alias: String) -> String {
        switch kind {
        case .clocked: "extract(epoch FROM \(alias).clocked_time)"
        case .solar: "\(alias).event, \(alias).latitude::text, \(alias).longitude::text"
        default: columns(kind).map { "\(alias).\($0)" }.joined(separator: ", ")
        }
    }

    /// Reads a value of `kind` from `row` starting at column `first`; nil when its columns are NULL
    /// (no such row joined) or unreadable.
    static func value(_ kind: ScheduleKind, from row: PGRow, at first: Int) -> ScheduleValue? {
        func text(_ offset: Int) -> String? { (try? row.decodeIfPresent(first + offset, as: String.self)) ?? nil }
        switch kind {
        case .crontab:
            guard let minute = text(0), let hour = text(1), let dow = text(2), let dom = text(3), let moy = text(4), let tz = text(5)
            else { return nil }
            return .crontab(CrontabValue(minute: minute, hour: hour, dayOfWeek: dow, dayOfMonth: dom, monthOfYear: moy, timezone: tz))
        case .interval:
            guard let every = text(0).flatMap(Int.init), let period = text(1).flatMap(IntervalPeriod.init(rawValue:)) else { return nil }
            return .interval(IntervalValue(every: every, period: period))
        case .clocked:
            guard let seconds = text(0).flatMap(Double.init) else { return nil }
            return .clocked(ClockedValue(clockedTime: Date(timeIntervalSince1970: seconds)))
        case .solar:
            guard let event = text(0).flatMap(SolarEvent.init(rawValue:)), let latitude = text(1).flatMap(Double.init),
                let longitude = text(2).flatMap(Double.init)
            else { return nil }
            return .solar(SolarValue(event: event, latitude: latitude, longitude: longitude))
        }
    }

    /// How many columns ``selectList(_:alias:)`` yields.
    static func width(_ kind: ScheduleKind) -> Int { columns(kind).count }

    /// `UPDATE django_celery_beat_periodictasks`, as Django's `update_changed()`: beat and
    /// Celery's DatabaseScheduler reload when it moves. Run in the transaction of the change.
    static let bumpLastUpdate = """
        INSERT INTO django_celery_beat_periodictasks (ident, last_update) VALUES (1, $1::timestamptz)
        ON CONFLICT (ident) DO UPDATE SET last_update = EXCLUDED.last_update
        """
}
