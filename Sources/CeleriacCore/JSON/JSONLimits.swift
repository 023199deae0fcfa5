// Celeriac — a Celery-compatible job service in Swift.

/// How deep JSON may nest and how long its strings may be. Request bodies are read with the
/// API's configured limits (``RequestLimits/json``); messages and reports with ``lenient``.
public struct JSONLimits: Sendable, Equatable {
    /// Arrays and objects inside one another, the outermost counting 1.
    public var maxDepth: Int
    /// Bytes of one string (a key or a value) as sent, escapes included.
    public var maxStringBytes: Int

    /// The deepest nesting the parser ever takes, whatever the limits say: deeper risks the stack.
    public static let deepest = 256

    /// For input the service trusts: nesting up to ``deepest``, strings of any length.
    public static let lenient = JSONLimits(maxDepth: deepest, maxStringBytes: .max)

    public init(maxDepth: Int, maxStringBytes: Int) {
        self.maxDepth = maxDepth
        self.maxStringBytes = maxStringBytes
    }
}
