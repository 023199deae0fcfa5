// Celeriac — a Celery-compatible job service in Swift.

/// A configuration value (environment variable or flag) that cannot be used.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
