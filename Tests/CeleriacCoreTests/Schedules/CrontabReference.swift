// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import Foundation

/// The slow, obvious way to find a crontab's next fire, written apart from the library's
/// search: walk real time a minute at a time, read each instant's wall clock from Foundation
/// and its date from Foundation's Calendar, and apply DESIGN §8 as it reads: wall minutes a
/// transition skips fire at the first instant after the jump; wall minutes already seen
/// (the repeated hour) do not fire again.
struct CrontabReference {
    let schedule: CrontabSchedule
    private let calendar: Calendar

    init(_ schedule: CrontabSchedule) {
        self.schedule = schedule
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        self.calendar = calendar
    }

    /// The first fire after `after` within `horizonMinutes`, or nil if none.
    func nextFire(after: Date, horizonMinutes: Int) -> Date? {
        let start = Int64((after.timeIntervalSince1970 / 60).rounded(.down)) * 60
        // Start a day early so wall times that already happened are known as such.
        var instant = start - 86_400
        var latestWall: Int64?
        var dateCache: (day: Int64, parts: DateComponents)?
        func matches(_ wall: Int64) -> Bool {
            let day = wall >= 0 ? wall / 86_400 : (wall - 86_399) / 86_400
            if dateCache?.day != day {
                let parts = calendar.dateComponents(
                    [.year, .month, .day, .weekday], from: Date(timeIntervalSince1970: Double(day * 86_400)))
                dateCache = (day, parts)
            }
            let parts = dateCache!.parts
            let secondOfDay = wall - day * 86_400
            return schedule.minutes.contains(Int(secondOfDay / 60 % 60)) && schedule.hours.contains(Int(secondOfDay / 3600))
                && schedule.daysOfMonth.contains(parts.day!) && schedule.monthsOfYear.contains(parts.month!)
                && schedule.daysOfWeek.contains(parts.weekday! - 1)
        }
        while instant <= start + Int64(horizonMinutes) * 60 {
            let wall = instant + Int64(schedule.timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant))))
            var fires = false
            if let latest = latestWall {
                if wall > latest {
                    var skipped = latest + 60
                    while skipped < wall, !fires {
                        fires = matches(skipped)
                        skipped += 60
                    }
                    fires = fires || matches(wall)
                }
            } else {
                fires = matches(wall)
            }
            if fires, Double(instant) > after.timeIntervalSince1970 { return Date(timeIntervalSince1970: Double(instant)) }
            latestWall = max(latestWall ?? wall, wall)
            instant += 60
        }
        return nil
    }
}
