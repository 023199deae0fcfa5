// Celeriac — a Celery-compatible job service in Swift.

/// A schedule in words, as django-celery-beat's `__str__` writes it (the admin's list shows
/// these): `every 10 seconds`, `30 1 * * 3 (m/h/dM/MY/d) Asia/Seoul`, `sunrise (37.5665, 126.978)`.
public enum ScheduleText {
    public static func describe(_ value: ScheduleValue) -> String {
        switch value {
        case .interval(let i):
            // `IntervalSchedule.__str__`: "every second" for one, else "every 10 seconds".
            let unit = String(i.period.rawValue.dropLast())
            return i.every == 1 ? "every \(unit)" : "every \(i.every) \(i.period.rawValue)"
        case .crontab(let c):
            return "\(c.minute) \(c.hour) \(c.dayOfMonth) \(c.monthOfYear) \(c.dayOfWeek) (m/h/dM/MY/d) \(c.timezone)"
        case .clocked(let c):
            return CeleryTime.format(c.clockedTime)
        case .solar(let s):
            return "\(s.event.rawValue) (\(SolarValue.decimal(s.latitudeMicro)), \(SolarValue.decimal(s.longitudeMicro)))"
        }
    }
}
