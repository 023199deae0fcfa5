// Celeriac — a Celery-compatible job service in Swift.

/// A pool of blocking resources (libpq connections, libcurl handles), each owned by its own
/// ``BlockingThread``. Work goes to the slot with the fewest calls waiting, and runs on that
/// slot's thread with the slot's resource, which the body may create, replace or drop
/// (`nil`): the resource is touched on no other thread.
public final class ThreadSlots<Resource>: Sendable {
    private let slots: [Slot<Resource>]

    /// - Parameters:
    ///   - count: slots (threads); at least one.
    ///   - name: thread name prefix (`pg` → `pg-0`, `pg-1`, ...).
    public init(count: Int, name: String) {
        slots = (0..<max(1, count)).map { Slot(thread: BlockingThread(name: "\(name)-\($0)")) }
    }

    /// Runs `body` on the least busy slot's thread with that slot's resource.
    public func withLeastBusy<T: Sendable>(_ body: @escaping @Sendable (inout Resource?) throws -> T) async throws -> T {
        let slot = slots.min { $0.waiting.current < $1.waiting.current }!
        slot.waiting.withLock { $0 += 1 }
        defer { slot.waiting.withLock { $0 -= 1 } }
        return try await slot.thread.run { try slot.use(body) }
    }
}

/// One resource and the thread that owns it.
private final class Slot<Resource>: @unchecked Sendable {
    // Safe to share: `resource` is only touched on `thread` (inside `use`).
    let thread: BlockingThread
    let waiting = Locked(0)
    private var resource: Resource?

    init(thread: BlockingThread) { self.thread = thread }

    func use<T>(_ body: (inout Resource?) throws -> T) rethrows -> T {
        try body(&resource)
    }
}
