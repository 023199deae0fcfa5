// Celeriac — a Celery-compatible job service in Swift.

/// A port of Celery 5.7's `celery.schedules.crontab_parser`: the same grammar, the same
/// leniencies (names accepted in every field, `a-b` wrapping around, text after a matched
/// prefix ignored) and the same messages, so a row Celery's beat accepts reads the same here.
///
/// One deliberate difference: `day_of_week` also takes 7 for Sunday, as django-celery-beat's
/// validator (python-crontab) and cron do; Celery itself rejects 7 ("Invalid end range").
struct CrontabParser {
    let field: CrontabField

    /// Celery's `min_` and `max_` (the count of values) for the field.
    private var lowest: Int {
        switch field {
        case .dayOfMonth, .monthOfYear: 1
        default: 0
        }
    }

    private var count: Int {
        switch field {
        case .minute: 60
        case .hour: 24
        case .dayOfWeek: 7
        case .dayOfMonth: 31
        case .monthOfYear: 12
        }
    }

    /// The values `spec` fires on; day of week 7 comes back as 0.
    func parse(_ spec: String) throws(ScheduleError) -> CronValues {
        var values: [Int] = []
        for part in spec.split(separator: ",", omittingEmptySubsequences: false) {
            guard !part.isEmpty else { throw fail("empty part") }
            values += try parsePart(Array(part))
        }
        return CronValues(values.map { field == .dayOfWeek && $0 == 7 ? 0 : $0 })
    }

    /// Celery tries, in order: `a-b/n`, `a-b`, `*/n`, `*`, else a single number or name.
    private func parsePart(_ part: [Character]) throws(ScheduleError) -> [Int] {
        let firstEnd = wordRun(part, from: 0)
        if firstEnd > 0, firstEnd < part.count, part[firstEnd] == "-" {
            let secondEnd = wordRun(part, from: firstEnd + 1)
            if secondEnd > firstEnd + 1 {
                let range = try expandRange(String(part[..<firstEnd]), String(part[(firstEnd + 1)..<secondEnd]))
                guard secondEnd < part.count, part[secondEnd] == "/" else { return range }
                let stepEnd = wordRun(part, from: secondEnd + 1)
                guard stepEnd > secondEnd + 1 else { throw fail("empty filter") }
                return try every(String(part[(secondEnd + 1)..<stepEnd]), of: range)
            }
        }
        if part.starts(with: ["*", "/"]) {
            let stepEnd = wordRun(part, from: 2)
            guard stepEnd > 2 else { throw fail("empty filter") }
            return try every(String(part[2..<stepEnd]), of: Array(lowest..<(lowest + count)))
        }
        if part == ["*"] { return Array(lowest..<(lowest + count)) }
        return [try number(String(part))]
    }

    /// End of the run of regex `\w` characters starting at `start`.
    private func wordRun(_ part: [Character], from start: Int) -> Int {
        var end = start
        while end < part.count, part[end].isLetter || part[end].isNumber || part[end] == "_" { end += 1 }
        return end
    }

    /// `a-b`, wrapping past the top when b < a (`fri-mon` is Friday...Monday).
    private func expandRange(_ from: String, _ to: String) throws(ScheduleError) -> [Int] {
        let start = try number(from)
        let end = try number(to)
        if end < start { return Array(start..<(lowest + count)) + Array(lowest...end) }
        return Array(start...end)
    }

    /// Python's `values[::step]`: every step-th element of the expansion, from its first.
    private func every(_ stepText: String, of values: [Int]) throws(ScheduleError) -> [Int] {
        guard let step = PythonInt.parse(stepText) else {
            throw fail("invalid literal for int() with base 10: '\(stepText)'")
        }
        guard step != 0 else { throw fail("slice step cannot be zero") }
        guard step > 0 else { return stride(from: values.count - 1, through: 0, by: step).map { values[$0] } }
        return stride(from: 0, to: values.count, by: step).map { values[$0] }
    }

    /// Celery's `_expand_number`: an integer, else a month name, else a weekday name (each by
    /// its first three letters, in any field), then checked against the field's range.
    private func number(_ text: String) throws(ScheduleError) -> Int {
        if text.first == "-" { throw fail("negative numbers not supported") }
        let prefix = String(text.prefix(3)).lowercased()
        guard
            let value = PythonInt.parse(text) ?? Self.monthNames.firstIndex(of: prefix).map({ $0 + 1 })
                ?? Self.dayNames.firstIndex(of: prefix)
        else { throw fail("Invalid weekday literal '\(text)'.") }
        let highest = field == .dayOfWeek ? 7 : lowest + count - 1
        if value > highest { throw fail("Invalid end range: \(value) > \(lowest + count - 1).") }
        if value < lowest { throw fail("Invalid beginning range: \(value) < \(lowest).") }
        return value
    }

    private static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    private static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    private func fail(_ message: String) -> ScheduleError {
        ScheduleError(field: field.rawValue, message)
    }
}

/// Python's `int(text)` for base 10: surrounding whitespace, an optional sign, ASCII digits with
/// single underscores between them.
enum PythonInt {
    static func parse(_ text: String) -> Int? {
        var body = Substring(text).drop(while: \.isWhitespace)
        while body.last?.isWhitespace == true { body = body.dropLast() }
        var negative = false
        if let sign = body.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            body = body.dropFirst()
        }
        guard let first = body.first, first.isASCII, first.isNumber, body.last != "_", !body.contains("__") else {
            return nil
        }
        var value = 0
        for character in body where character != "_" {
            guard character.isASCII, let digit = character.wholeNumberValue else { return nil }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        return negative ? -value : value
    }
}
