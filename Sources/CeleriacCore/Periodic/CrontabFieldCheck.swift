// Celeriac — a Celery-compatible job service in Swift.

/// The check django-celery-beat's validators make of one crontab field (python-crontab's
/// `CronSlice` parse of the field placed in a `* * * * *` line), with its messages verbatim, so
/// the API refuses what the Django admin refuses and says it the same way.
public enum CrontabFieldCheck {
    public enum Field: String, Sendable, CaseIterable {
        case minute, hour
        case dayOfMonth = "day_of_month"
        case monthOfYear = "month_of_year"
        case dayOfWeek = "day_of_week"

        /// python-crontab's name for the field, as its messages spell it.
        var label: String {
            switch self {
            case .minute: "Minutes"
            case .hour: "Hours"
            case .dayOfMonth: "Day of Month"
            case .monthOfYear: "Month"
            case .dayOfWeek: "Day of Week"
            }
        }

        var range: ClosedRange<Int> {
            switch self {
            case .minute: 0...59
            case .hour: 0...23
            case .dayOfMonth: 1...31
            case .monthOfYear: 1...12
            case .dayOfWeek: 0...7  // Sunday is 0 or 7
            }
        }

        /// Names python-crontab accepts for values.
        var names: [String] {
            switch self {
            case .monthOfYear: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
            case .dayOfWeek: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
            default: []
            }
        }

        /// The column width in django-celery-beat's table.
        public var maxLength: Int {
            switch self {
            case .minute: 240
            case .hour: 96
            case .dayOfMonth: 124
            case .monthOfYear, .dayOfWeek: 64
            }
        }
    }

    /// Nil when `text` is a valid value of `field`, else the validator's message.
    public static func problem(_ text: String, field: Field) -> String? {
        if text.isEmpty || text.contains(where: \.isWhitespace) {
            // The validator checks the field inside a whole `* * * * *` line, which no longer
            // splits into five fields; its message quotes that line.
            let line = Field.allCases.map { $0 == field ? text : "*" }.joined(separator: " ")
            return "\"No enumeration for \(field.label): '\(line)'\""
        }
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            if let problem = check(String(part), field: field) { return problem }
        }
        return nil
    }

    private static func check(_ part: String, field: Field) -> String? {
        let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
        guard pieces.count <= 2 else { return "\"No enumeration for \(field.label): '\(part)'\"" }
        let body = String(pieces[0])
        let span: ClosedRange<Int>
        if body == "*" {
            span = field.range
        } else {
            let ends = body.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard ends.count <= 2 else { return "\"No enumeration for \(field.label): '\(body)'\"" }
            var values: [Int] = []
            for end in ends {
                switch value(end, field: field) {
                case .success(let number): values.append(number)
                case .failure(let message): return message.text
                }
            }
            if values.count == 2 {
                guard values[0] <= values[1] else { return "Bad range '\(body)'" }
                span = values[0]...values[1]
            } else {
                span = values[0]...values[0]
            }
        }
        if pieces.count == 2 {
            guard let step = Int(pieces[1]) else { return "\"No enumeration for \(field.label): '\(pieces[1])'\"" }
            guard step >= 1, step <= field.range.upperBound else { return "Sequence can not be divided by zero or max" }
        }
        _ = span
        return nil
    }

    private struct Message: Error { let text: String }

    private static func value(_ text: String, field: Field) -> Result<Int, Message> {
        if let number = Int(text), text.allSatisfy(\.isASCII) {
            guard field.range.contains(number) else {
                return .failure(Message(text: "'\(number)', not in \(field.range.lowerBound)-\(field.range.upperBound == 7 ? 6 : field.range.upperBound) for \(field.label)"))
            }
            return .success(number)
        }
        if let index = field.names.firstIndex(of: text.lowercased()) {
            return .success(field == .monthOfYear ? index + 1 : index)
        }
        return .failure(Message(text: "\"No enumeration for \(field.label): '\(text)'\""))
    }
}
