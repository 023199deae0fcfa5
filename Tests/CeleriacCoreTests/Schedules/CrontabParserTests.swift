// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import Testing

/// Celery 5.7's `crontab_parser` results and messages (checked in its Python), field by field.
@Suite struct CrontabParserTests {
    @Test(arguments: [
        ("*/15", CrontabField.minute, [0, 15, 30, 45]),
        ("1,13,30-45/5,50", .minute, [1, 13, 30, 35, 40, 45, 50]),
        ("0,8-17/2", .hour, [0, 8, 10, 12, 14, 16]),
        ("*/4", .hour, [0, 4, 8, 12, 16, 20]),
        ("mon-fri", .dayOfWeek, [1, 2, 3, 4, 5]),
        ("sun", .dayOfWeek, [0]),
        ("Sunday,saturday", .dayOfWeek, [0, 6]),
        ("fri-mon", .dayOfWeek, [0, 1, 5, 6]),  // wraps around, as Celery's ranges do
        ("fri-tue/2", .dayOfWeek, [0, 2, 5]),  // steps through the wrapped list
        ("7", .dayOfWeek, [0]),  // Sunday as 7, as django-celery-beat's validator allows
        ("5-7", .dayOfWeek, [0, 5, 6]),
        ("*/3", .dayOfMonth, [1, 4, 7, 10, 13, 16, 19, 22, 25, 28, 31]),
        ("1-7,15-21", .dayOfMonth, Array(1...7) + Array(15...21)),
        ("2-12/2", .monthOfYear, [2, 4, 6, 8, 10, 12]),
        ("jan,mar-may", .monthOfYear, [1, 3, 4, 5]),
        ("*", .monthOfYear, Array(1...12)),
        (" 5", .minute, [5]),  // Python's int() strips spaces
    ])
    func expandsAsCelery(spec: String, field: CrontabField, expected: [Int]) throws {
        let schedule = try CrontabSchedule(Self.value(spec, in: field))
        #expect(Array(Self.values(of: schedule, field)) == expected)
    }

    @Test(arguments: [
        ("60", CrontabField.minute, "Invalid end range: 60 > 59."),
        ("24", .hour, "Invalid end range: 24 > 23."),
        ("8", .dayOfWeek, "Invalid end range: 8 > 6."),
        ("0", .dayOfMonth, "Invalid beginning range: 0 < 1."),
        ("13", .monthOfYear, "Invalid end range: 13 > 12."),
        ("-5", .minute, "negative numbers not supported"),
        ("", .hour, "empty part"),
        ("1,,2", .hour, "empty part"),
        ("*/", .minute, "empty filter"),
        ("1-5/", .minute, "empty filter"),
        ("*/0", .minute, "slice step cannot be zero"),
        ("*/x", .minute, "invalid literal for int() with base 10: 'x'"),
        ("L", .dayOfMonth, "Invalid weekday literal 'L'."),
        ("5/2", .minute, "Invalid weekday literal '5/2'."),
        ("funday", .dayOfWeek, "Invalid weekday literal 'funday'."),
    ])
    func refusesWithCelerysMessageAndTheField(spec: String, field: CrontabField, message: String) {
        #expect(throws: ScheduleError(field: field.rawValue, message)) {
            try CrontabSchedule(Self.value(spec, in: field))
        }
    }

    @Test func refusesADayNoMonthHas() {
        #expect(throws: ScheduleError(field: "day_of_month", "Invalid crontab: day_of_month '30,31' never occurs in month_of_year '2'.")) {
            try CrontabSchedule(dayOfMonth: "30,31", monthOfYear: "2")
        }
        #expect((try? CrontabSchedule(dayOfMonth: "29", monthOfYear: "feb")) != nil)
    }

    @Test func refusesAnUnknownZone() {
        #expect(throws: ScheduleError(field: "timezone", "Invalid timezone 'Mars/Base'")) {
            try CrontabSchedule(timeZone: "Mars/Base")
        }
    }

    @Test func errorIsAnInvalidDomainErrorNamingTheField() {
        let error = ScheduleError(field: "minute", "Invalid end range: 60 > 59.").domainError
        #expect(error.code == .invalid)
        #expect(error.fields == [DomainError.FieldError(pointer: "/minute", detail: "Invalid end range: 60 > 59.")])
    }

    static func value(_ spec: String, in field: CrontabField) -> CrontabValue {
        var value = CrontabValue()
        switch field {
        case .minute: value.minute = spec
        case .hour: value.hour = spec
        case .dayOfWeek: value.dayOfWeek = spec
        case .dayOfMonth: value.dayOfMonth = spec
        case .monthOfYear: value.monthOfYear = spec
        }
        return value
    }

    static func values(of schedule: CrontabSchedule, _ field: CrontabField) -> CronValues {
        switch field {
        case .minute: schedule.minutes
        case .hour: schedule.hours
        case .dayOfWeek: schedule.daysOfWeek
        case .dayOfMonth: schedule.daysOfMonth
        case .monthOfYear: schedule.monthsOfYear
        }
    }
}
