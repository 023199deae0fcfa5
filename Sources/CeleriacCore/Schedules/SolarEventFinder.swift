// Celeriac — a Celery-compatible job service in Swift.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// PyEphem 4.2's searches (`Observer._find_rise_or_set` and `_compute_transit`), ported step
/// for step so the same start finds the same event, on ``SunPosition``. Times are Unix seconds.
struct SolarEventFinder {
    let latitude: Double
    let longitude: Double
    let event: SolarEvent

    private static let tau = 2 * Double.pi
    /// PyEphem's `default_newton_precision`: a tenth of a second, in days.
    private static let precision = 0.1 / 86_400
    private static let alwaysUp = Double.pi + 1e-15
    private static let neverUp = -1e-15

    /// The event's horizon in radians, and whether it is the disc's centre (else its upper limb).
    private var horizon: (angle: Double, center: Bool) {
        switch event {
        case .sunrise, .sunset: ((-34.0 / 60).radians, false)
        case .dawnCivil, .duskCivil: ((-6.0).radians, true)
        case .dawnNautical, .duskNautical: ((-12.0).radians, true)
        case .dawnAstronomical, .duskAstronomical: ((-18.0).radians, true)
        case .solarNoon: (0, false)
        }
    }

    /// The event after `start`, or nil when the Sun does not cross that horizon that day.
    func next(from start: Double) -> Double? {
        switch event {
        case .solarNoon: return nextTransit(from: start, antimeridian: false)
        case .sunrise, .dawnCivil, .dawnNautical, .dawnAstronomical: return riseOrSet(from: start, rising: true)
        case .sunset, .duskCivil, .duskNautical, .duskAstronomical: return riseOrSet(from: start, rising: false)
        }
    }

    private func riseOrSet(from start: Double, rising: Bool) -> Double? {
        var date = start
        var firstStep = true
        var targetAngle = 0.0
        for _ in 0..<7 {
            let sun = SunPosition(unixSeconds: date)
            let altitude = horizon.center ? horizon.angle : horizon.angle - sun.semidiameter
            targetAngle = targetHourAngle(altitude: altitude, declination: sun.declination)
            // Rising happens east of the meridian (negative hour angle), setting west.
            var difference = (rising ? -targetAngle : targetAngle) - sun.hourAngle(longitude: longitude)
            var bump: Double
            if firstStep {
                difference = difference.wrappedToTau
                bump = difference / Self.tau
                if abs(bump) < Self.precision { bump += 1 }  // at the event now: the next one
            } else {
                bump = difference.wrappedToPlusMinusPi / Self.tau
            }
            if abs(bump) < Self.precision { break }
            date += bump * 86_400
            firstStep = false
        }
        return targetAngle == Self.alwaysUp || targetAngle == Self.neverUp ? nil : date
    }

    /// The hour angle at which the Sun stands at `altitude`, or PyEphem's markers when it
    /// stays above (π + ε) or below (−ε) it all day.
    private func targetHourAngle(altitude: Double, declination: Double) -> Double {
        let cosine = (sin(altitude) - sin(latitude) * sin(declination)) / (cos(latitude) * cos(declination))
        if cosine < -1 { return Self.alwaysUp }
        if cosine > 1 { return Self.neverUp }
        return acos(cosine)
    }

    /// The next meridian (or anti-meridian) passage after `start`: a first guess a fraction of
    /// a day ahead, then secant steps to a tenth of a second, as PyEphem's `newton`.
    func nextTransit(from start: Double, antimeridian: Bool) -> Double {
        let offset = antimeridian ? Double.pi : 0
        func miss(_ date: Double) -> Double {
            (offset - SunPosition(unixSeconds: date).hourAngle(longitude: longitude)).wrappedToPlusMinusPi
        }
        var toMove = (offset - SunPosition(unixSeconds: start).hourAngle(longitude: longitude)).wrappedToTau
        if abs(toMove) < 1e-9 { toMove = Self.tau }
        var x0 = start + toMove / Self.tau * 86_400
        var x1 = x0 + 60
        var f0 = miss(x0)
        for _ in 0..<50 {
            let f1 = miss(x1)
            guard f1 != f0, abs(x1 - x0) > 0.1 else { break }
            let x2 = x1 - f1 * (x1 - x0) / (f1 - f0)
            (x0, f0, x1) = (x1, f1, x2)
        }
        return x1
    }
}
