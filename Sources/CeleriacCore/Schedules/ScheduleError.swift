// Celeriac — a Celery-compatible job service in Swift.

/// A schedule that cannot be built: the django-celery-beat column at fault (`minute`,
/// `day_of_week`, `timezone`, `latitude`, ...) and, where Celery has one, Celery's own message.
public struct ScheduleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The column name, as django-celery-beat spells it.
    public var field: String
    public var message: String

    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

extension ScheduleError: DomainErrorConvertible {
    /// An ``DomainError/Code/invalid`` problem pointing at the field.
    public var domainError: DomainError {
        .invalid("schedule", [DomainError.FieldError(pointer: "/\(field)", detail: message)])
    }
}
