// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A django-celery-beat `CrontabSchedule` row's values: Celery crontab fields as text, and
/// the IANA zone they are read in.
public struct CrontabValue: Sendable, Equatable {
    public var minute: String
    public var hour: String
    public var dayOfWeek: String
    public var dayOfMonth: String
    public var monthOfYear: String
    public var timezone: String

    public init(
        minute: String = "*", hour: String = "*", dayOfWeek: String = "*", dayOfMonth: String = "*",
        monthOfYear: String = "*", timezone: String = "UTC"
    ) {
        self.minute = minute
        self.hour = hour
        self.dayOfWeek = dayOfWeek
        self.dayOfMonth = dayOfMonth
        self.monthOfYear = monthOfYear
        self.timezone = timezone
    }
}

/// `IntervalSchedule.PERIOD_CHOICES`.
public enum IntervalPeriod: String, Sendable, CaseIterable {
    case days, hours, minutes, seconds, microseconds
}

/// A django-celery-beat `IntervalSchedule` row's values.
public struct IntervalValue: Sendable, Equatable {
    public var every: Int
    public var period: IntervalPeriod

    public init(every: Int, period: IntervalPeriod) {
        self.every = every
        self.period = period
    }
}

/// A django-celery-beat `ClockedSchedule` row's value.
public struct ClockedValue: Sendable, Equatable {
    public var clockedTime: Date
    public init(clockedTime: Date) { self.clockedTime = clockedTime }
}

/// `SolarSchedule.SOLAR_SCHEDULES`.
public enum SolarEvent: String, Sendable, CaseIterable {
    case dawnAstronomical = "dawn_astronomical"
    case dawnCivil = "dawn_civil"
    case dawnNautical = "dawn_nautical"
    case duskAstronomical = "dusk_astronomical"
    case duskCivil = "dusk_civil"
    case duskNautical = "dusk_nautical"
    case solarNoon = "solar_noon"
    case sunrise
    case sunset
}

/// A django-celery-beat `SolarSchedule` row's values; coordinates in millionths of a degree,
/// as `numeric(9,6)` holds them, so equal rows compare equal.
public struct SolarValue: Sendable, Equatable {
    public var event: SolarEvent
    public var latitudeMicro: Int
    public var longitudeMicro: Int

    public init(event: SolarEvent, latitude: Double, longitude: Double) {
        self.event = event
        latitudeMicro = Int((latitude * 1_000_000).rounded())
        longitudeMicro = Int((longitude * 1_000_000).rounded())
    }

    public var latitude: Double { Double(latitudeMicro) / 1_000_000 }
    public var longitude: Double { Double(longitudeMicro) / 1_000_000 }

    /// `numeric(9,6)` text.
    public static func decimal(_ micro: Int) -> String {
        let sign = micro < 0 ? "-" : ""
        let magnitude = abs(micro)
        let fraction = String(magnitude % 1_000_000)
        return "\(sign)\(magnitude / 1_000_000).\(String(repeating: "0", count: 6 - fraction.count))\(fraction)"
    }
}

/// One of the four schedule kinds a periodic task has exactly one of.
public enum ScheduleKind: String, Sendable, CaseIterable {
    case crontab, interval, clocked, solar
}

/// A schedule's values, of any kind.
public enum ScheduleValue: Sendable, Equatable {
    case crontab(CrontabValue)
    case interval(IntervalValue)
    case clocked(ClockedValue)
    case solar(SolarValue)

    public var kind: ScheduleKind {
        switch self {
        case .crontab: .crontab
        case .interval: .interval
        case .clocked: .clocked
        case .solar: .solar
        }
    }
}

/// A schedule row: its id and values.
public struct ScheduleRow: Sendable, Equatable {
    public var id: Int
    public var value: ScheduleValue
    public init(id: Int, value: ScheduleValue) {
        self.id = id
        self.value = value
    }
}
