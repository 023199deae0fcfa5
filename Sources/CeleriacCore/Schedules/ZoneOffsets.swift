// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One zone's UTC offsets, turning instants into wall-clock time and back (in whole seconds)
/// with DESIGN §8's rules for the local times a transition skips or repeats. Offsets come from
/// the system's tzdata through Foundation's `TimeZone`, whose named zones resolve only in a
/// process that links FoundationInternationalization (any `import Foundation` does).
struct ZoneOffsets: Sendable {
    let zone: TimeZone

    /// The zone for an IANA name, or nil when tzdata does not know it.
    static func zone(named identifier: String) -> TimeZone? {
        TimeZone(identifier: identifier)
    }

    func offset(at instant: Int64) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant))))
    }

    /// Local wall time at `instant`, as seconds since 1970-01-01 00:00 local.
    func local(at instant: Int64) -> Int64 {
        instant + offset(at: instant)
    }

    /// The instant a local wall time fires at: its only occurrence; the earlier one when the
    /// clocks fall back and it happens twice; the end of the gap (the first valid instant
    /// after it) when the clocks spring forward over it.
    ///
    /// Assumes at most one offset change within a day of `wall`, true of every zone in tzdata
    /// since 1970 and of all their rules ahead.
    func instant(forLocal wall: Int64) -> Int64 {
        let before = offset(at: wall - 86_400)
        let after = offset(at: wall + 86_400)
        let occurrences = Set([before, after]).map { wall - $0 }.filter { local(at: $0) == wall }
        if let first = occurrences.min() { return first }
        // In a gap: read with the earlier offset the wall time lies after the jump, with the
        // later one before it; find the jump, to the second.
        var low = min(wall - before, wall - after)
        var high = max(wall - before, wall - after)
        let lowOffset = offset(at: low)
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if offset(at: middle) == lowOffset { low = middle } else { high = middle }
        }
        return high
    }
}
