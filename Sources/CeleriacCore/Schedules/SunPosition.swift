// Celeriac — a Celery-compatible job service in Swift.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The Sun's apparent geocentric place at an instant, from Jean Meeus, *Astronomical
/// Algorithms* (2nd ed.): chapter 25's low-accuracy theory (about 0.01°, i.e. a few seconds of
/// clock time at sunrise) and chapter 12's sidereal time. Angles in radians.
struct SunPosition {
    let rightAscension: Double
    let declination: Double
    /// Apparent radius of the disc (about 16′), which sunrise and sunset add to the horizon.
    let semidiameter: Double
    /// Greenwich apparent sidereal time.
    let siderealTime: Double

    init(unixSeconds: Double) {
        let julianDay = unixSeconds / 86_400 + 2_440_587.5
        let t = (julianDay - 2_451_545) / 36_525  // Julian centuries from J2000 (UT for TT: ~1 s)
        let meanLongitude = 280.46646 + 36_000.76983 * t + 0.000_303_2 * t * t
        let meanAnomaly = 357.52911 + 35_999.05029 * t - 0.000_153_7 * t * t
        let eccentricity = 0.016_708_634 - 0.000_042_037 * t - 0.000_000_126_7 * t * t
        let m = meanAnomaly.radians
        let center = (1.914_602 - 0.004_817 * t - 0.000_014 * t * t) * sin(m)
            + (0.019_993 - 0.000_101 * t) * sin(2 * m) + 0.000_289 * sin(3 * m)
        let trueAnomaly = (meanAnomaly + center).radians
        let distance = 1.000_001_018 * (1 - eccentricity * eccentricity) / (1 + eccentricity * cos(trueAnomaly))
        // Nutation and aberration, to the accuracy of the rest.
        let node = (125.04 - 1934.136 * t).radians
        let longitude = (meanLongitude + center - 0.005_69 - 0.004_78 * sin(node)).radians
        let meanObliquity = 23.0 + 26.0 / 60 + (21.448 - 46.815 * t - 0.000_59 * t * t + 0.001_813 * t * t * t) / 3600
        let obliquity = (meanObliquity + 0.002_56 * cos(node)).radians
        rightAscension = atan2(cos(obliquity) * sin(longitude), cos(longitude))
        declination = asin(sin(obliquity) * sin(longitude))
        semidiameter = (959.63 / 3600 / distance).radians
        let nutationInLongitude = (-17.20 * sin(node) - 1.32 * sin(2 * meanLongitude.radians)) / 3600
        let meanSidereal = 280.460_618_37 + 360.985_647_366_29 * (julianDay - 2_451_545)
            + 0.000_387_933 * t * t - t * t * t / 38_710_000
        siderealTime = (meanSidereal + nutationInLongitude * cos(obliquity)).radians
    }

    /// Local hour angle at east-positive `longitude` (radians), in (-π, π].
    func hourAngle(longitude: Double) -> Double {
        (siderealTime + longitude - rightAscension).wrappedToPlusMinusPi
    }
}

extension Double {
    var radians: Double { self * .pi / 180 }

    /// Python's `angle % tau` (never negative).
    var wrappedToTau: Double {
        let r = fmod(self, 2 * .pi)
        return r < 0 ? r + 2 * .pi : r
    }

    var wrappedToPlusMinusPi: Double { (self + .pi).wrappedToTau - .pi }
}
