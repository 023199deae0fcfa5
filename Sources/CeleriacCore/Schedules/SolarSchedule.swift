// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A solar event at a place, as Celery's `solar` schedule: the next sunrise, sunset, dawn,
/// dusk or solar noon after an instant.
///
/// Celery asks PyEphem with no refraction (`pressure = 0`), at sea level, with these horizons:
/// sunrise and sunset at −0°34′ for the upper limb; civil, nautical and astronomical dawn and
/// dusk at −6°, −12° and −18° for the centre; solar noon at the meridian. We search the same
/// way PyEphem does (Newton steps on the hour angle from the start, a day at a time while the
/// event does not happen) on Meeus's Sun, which agrees with PyEphem to well within a minute.
public struct SolarSchedule: Sendable, Equatable {
    public let event: SolarEvent
    /// Degrees, north positive, −90...90.
    public let latitude: Double
    /// Degrees, east positive, −180...180.
    public let longitude: Double

    /// Checks the ranges as Celery's `solar` does, with its messages.
    public init(event: SolarEvent, latitude: Double, longitude: Double) throws(ScheduleError) {
        guard (-90...90).contains(latitude) else {
            throw ScheduleError(field: "latitude", "Argument latitude \(latitude) is invalid, must be between -90 and 90.")
        }
        guard (-180...180).contains(longitude) else {
            throw ScheduleError(
                field: "longitude", "Argument longitude \(longitude) is invalid, must be between -180 and 180.")
        }
        self.event = event
        self.latitude = latitude
        self.longitude = longitude
    }

    public init(_ value: SolarValue) throws(ScheduleError) {
        try self.init(event: value.event, latitude: value.latitude, longitude: value.longitude)
    }

    /// Celery's `solar.max_search_days`: how far ahead an event that skips days is sought.
    public static let maxSearchDays = 366

    /// The first occurrence strictly after `instant`; nil when it does not happen within
    /// ``maxSearchDays`` days (astronomical dusk in a polar summer). Celery then answers "check
    /// again in a year", which is not a fire time.
    public func nextFire(after instant: Date) -> Date? {
        var start = instant.timeIntervalSince1970
        guard start.isFinite else { return nil }
        let finder = SolarEventFinder(
            latitude: latitude.radians, longitude: longitude.radians, event: event)
        for _ in 0..<Self.maxSearchDays {
            if let found = finder.next(from: start) { return Date(timeIntervalSince1970: found) }
            start = finder.nextTransit(from: start, antimeridian: true)
        }
        return nil
    }
}

extension SolarSchedule {
    /// `sunrise at (37.5665, 126.978)`, `civil dusk at (52.52, 13.405)`.
    public var description: String {
        let name =
            switch event {
            case .sunrise: "sunrise"
            case .sunset: "sunset"
            case .solarNoon: "solar noon"
            case .dawnCivil: "civil dawn"
            case .dawnNautical: "nautical dawn"
            case .dawnAstronomical: "astronomical dawn"
            case .duskCivil: "civil dusk"
            case .duskNautical: "nautical dusk"
            case .duskAstronomical: "astronomical dusk"
            }
        return "\(name) at (\(latitude), \(longitude))"
    }
}
