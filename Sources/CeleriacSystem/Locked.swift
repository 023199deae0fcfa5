// Celeriac — a Celery-compatible job service in Swift.

/// A value behind a lock (nio's `NIOLockedValueBox`), for small state shared across tasks
/// and threads: counters, caches, buffers.
public final class Locked<Value>: @unchecked Sendable {
    // Safe to share: `value` is only touched while `lock` is held.
    private let lock = PThreadMutex()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    /// Runs `body` with exclusive access to the value.
    public func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }

    /// A copy of the current value.
    public var current: Value { withLock { $0 } }
}
