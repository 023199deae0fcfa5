// Celeriac — a Celery-compatible job service in Swift.

extension CrontabSchedule {
    /// The schedule in English, with its zone: `At 01:30 on Wednesday (Asia/Seoul)`,
    /// `Every 15 minutes during hours 9-17 on Monday through Friday (UTC)`,
    /// `At 00:00 on days 1-7 of the month, if a Monday (Europe/Berlin)`.
    public var description: String {
        [timePhrase, dayPhrase, monthPhrase].compactMap { $0 }.joined(separator: " ") + " (\(fields.timezone))"
    }

    private var timePhrase: String {
        let minuteStep = Self.step(of: fields.minute)
        let hourStep = Self.step(of: fields.hour)
        if minuteStep == nil, hourStep == nil, minutes.count < 60, hours.count < 24, minutes.count * hours.count <= 4 {
            let times = hours.flatMap { hour in minutes.map { Self.twoDigits(hour) + ":" + Self.twoDigits($0) } }
            return "At " + Self.joined(times, last: "and")
        }
        let minutePart =
            if minutes.count == 60 { "Every minute" }
            else if let minuteStep { "Every \(minuteStep) minutes" }
            else { "At minute\(minutes.count > 1 ? "s" : "") \(Self.numbers(minutes))" }
        if hours.count == 24 { return minutePart }
        if let hourStep { return minutePart + ", every \(hourStep) hours" }
        let during = minutes.count == 60 || minuteStep != nil ? "during" : "past"
        return minutePart + " \(during) hour\(hours.count > 1 ? "s" : "") \(Self.numbers(hours))"
    }

    /// Both day fields restricted means both must match (Celery's rule), and says so.
    private var dayPhrase: String? {
        let days = Self.names(daysOfWeek, from: Self.dayNames, last: "and")
        if daysOfMonth.count < 31 {
            let phrase = "on day\(daysOfMonth.count > 1 ? "s" : "") \(Self.numbers(daysOfMonth)) of the month"
            guard daysOfWeek.count < 7 else { return phrase }
            return phrase + ", if a " + Self.names(daysOfWeek, from: Self.dayNames, last: "or")
        }
        return daysOfWeek.count < 7 ? "on \(days)" : nil
    }

    private var monthPhrase: String? {
        monthsOfYear.count < 12 ? "in " + Self.names(monthsOfYear, from: Self.monthNames, last: "and") : nil
    }

    private static let dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    private static let monthNames = [
        "", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]

    /// n for a field written `*/n`.
    private static func step(of text: String) -> Int? {
        text.hasPrefix("*/") ? PythonInt.parse(String(text.dropFirst(2))) : nil
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// `0, 15 and 30-45`: runs of three or more as ranges.
    private static func numbers(_ values: CronValues) -> String {
        joined(runs(values).flatMap { $0.count >= 3 ? ["\($0.lowerBound)-\($0.upperBound)"] : $0.map(String.init) }, last: "and")
    }

    /// `Monday through Friday`, `January, April and July`.
    private static func names(_ values: CronValues, from names: [String], last: String) -> String {
        let parts = runs(values).flatMap {
            $0.count >= 3 ? ["\(names[$0.lowerBound]) through \(names[$0.upperBound])"] : $0.map { names[$0] }
        }
        return joined(parts, last: last)
    }

    private static func runs(_ values: CronValues) -> [ClosedRange<Int>] {
        var runs: [ClosedRange<Int>] = []
        for value in values {
            if let run = runs.last, run.upperBound + 1 == value {
                runs[runs.count - 1] = run.lowerBound...value
            } else {
                runs.append(value...value)
            }
        }
        return runs
    }

    /// `a`, `a and b`, `a, b and c`.
    private static func joined(_ items: [String], last: String) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " \(last) " + items[items.count - 1]
    }
}
