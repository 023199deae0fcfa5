// Celeriac — a Celery-compatible job service in Swift.

/// A proleptic Gregorian date and its day number (days since 1970-01-01), after Howard
/// Hinnant's `civil_from_days`: exact and free of any calendar object, so schedule searches
/// can walk days quickly.
struct CivilDate: Equatable, Comparable {
    var year: Int
    /// 1...12
    var month: Int
    /// 1...31
    var day: Int

    init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    init(dayNumber: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }

    var dayNumber: Int { RFC3339.daysFromCivil(year: year, month: month, day: day) }

    /// 0 = Sunday ... 6 = Saturday, Celery's (and cron's) numbering.
    static func weekday(dayNumber: Int) -> Int {
        // 1970-01-01 was a Thursday (4).
        ((dayNumber % 7) + 7 + 4) % 7
    }

    static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}
