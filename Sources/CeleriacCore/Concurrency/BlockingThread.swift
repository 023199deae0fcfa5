// Celeriac — a Celery-compatible job service in Swift.

import Foundation

/// One dedicated OS thread that runs blocking work (hiredis, libpq, libcurl calls) in FIFO
/// order, so such calls never occupy Swift's cooperative pool (two threads on our machines).
///
/// Owners: each C connection owns one `BlockingThread`; everything touching that connection's
/// C handle runs on it. The thread ends when ``stop()`` is called or the object is released.
public final class BlockingThread: @unchecked Sendable {
    // Safe to share: `queue` is touched only while holding its NSCondition.
    private let queue: JobQueue

    /// Starts the thread.
    /// - Parameter name: shown in debuggers and `top -H` (`redis-1`, `pg-0`, ...).
    public init(name: String) {
        let queue = JobQueue()
        self.queue = queue
        let thread = Thread { queue.runLoop() }
        thread.name = name
        thread.stackSize = 512 * 1024
        thread.start()
    }

    deinit { queue.stop() }

    /// Queues `job` to run on the thread. Jobs submitted after ``stop()`` are dropped.
    public func submit(_ job: @escaping @Sendable () -> Void) {
        queue.push(job)
    }

    /// Runs `body` on the thread and returns its result to the calling task.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let accepted = queue.push { continuation.resume(with: Result { try body() }) }
            if !accepted { continuation.resume(throwing: CancellationError()) }
        }
    }

    /// Lets queued jobs finish, then ends the thread.
    public func stop() { queue.stop() }
}

/// FIFO of jobs guarded by a condition variable; the thread sleeps while it is empty.
private final class JobQueue: @unchecked Sendable {
    // Safe to share: every field is read and written only while `condition` is locked.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var stopped = false

    @discardableResult
    func push(_ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopped else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    func runLoop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty && stopped {
                condition.unlock()
                return
            }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch { job() }
        }
    }
}
