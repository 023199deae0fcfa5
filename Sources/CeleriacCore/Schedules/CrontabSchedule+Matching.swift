// Celeriac — a Celery-compatible job service in Swift.

extension CrontabSchedule {
    /// The first local wall-clock minute at or after `wall` (seconds since 1970-01-01 local,
    /// minute-aligned) that every field matches; nil if none within 400 years (the Gregorian
    /// cycle, so a valid schedule always has one).
    func nextMatchingMinute(atOrAfter wall: Int64) -> Int64? {
        var dayNumber = Int((wall - ((wall % 86_400) + 86_400) % 86_400) / 86_400)
        var minuteOfDay = Int(wall - Int64(dayNumber) * 86_400) / 60
        let lastDay = dayNumber + 146_097
        while dayNumber <= lastDay {
            let date = CivilDate(dayNumber: dayNumber)
            if !monthsOfYear.contains(date.month) {
                let next = date.month == 12
                    ? CivilDate(year: date.year + 1, month: 1, day: 1) : CivilDate(year: date.year, month: date.month + 1, day: 1)
                dayNumber = next.dayNumber
                minuteOfDay = 0
                continue
            }
            if daysOfMonth.contains(date.day), daysOfWeek.contains(CivilDate.weekday(dayNumber: dayNumber)),
                let minute = firstMinuteOfDay(atOrAfter: minuteOfDay)
            {
                return Int64(dayNumber) * 86_400 + Int64(minute) * 60
            }
            dayNumber += 1
            minuteOfDay = 0
        }
        return nil
    }

    /// The first minute of a matching day (0...1439) at or after `minuteOfDay`.
    private func firstMinuteOfDay(atOrAfter minuteOfDay: Int) -> Int? {
        let hour = minuteOfDay / 60
        if hours.contains(hour), let minute = minutes.first(atLeast: minuteOfDay % 60) { return hour * 60 + minute }
        guard let nextHour = hours.first(atLeast: hour + 1), let minute = minutes.lowest else { return nil }
        return nextHour * 60 + minute
    }
}
