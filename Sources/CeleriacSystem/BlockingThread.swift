// Celeriac — a Celery-compatible job service in Swift.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One dedicated OS thread that runs blocking work (hiredis, libpq, libcurl calls) in FIFO
/// order, so such calls never occupy Swift's cooperative pool (two threads on our machines).
///
/// Owners: each C connection owns one `BlockingThread`; everything touching that connection's
/// C handle runs on it. The thread ends when ``stop()`` is called or the object is released.
public final class BlockingThread: @unchecked Sendable {
    // Safe to share: `queue` is touched only while holding its mutex.
    private let queue: JobQueue

    /// Starts the thread (512 KiB stack, detached).
    /// - Parameter name: shown in debuggers and `top -H` (`redis-1`, `pg-0`, ...); Linux
    ///   keeps the first 15 bytes.
    public init(name: String) {
        let queue = JobQueue()
        self.queue = queue
        let box = Unmanaged.passRetained(ThreadStart(queue: queue, name: String(decoding: name.utf8.prefix(15), as: UTF8.self)))
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setstacksize(&attributes, 512 * 1024)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        let started = pthread_create(&thread, &attributes, { argument in
            let start = Unmanaged<ThreadStart>.fromOpaque(argument!).takeRetainedValue()
            ThreadName.set(start.name)
            start.queue.runLoop()
            return nil
        }, box.toOpaque())
        pthread_attr_destroy(&attributes)
        precondition(started == 0, "pthread_create failed: \(started)")
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

/// Names the calling thread. `pthread_setname_np` is a GNU extension Swift's Glibc module
/// does not declare, so it is looked up once at run time; without it threads stay unnamed.
private enum ThreadName {
    private typealias SetName = @convention(c) (pthread_t, UnsafePointer<CChar>) -> Int32
    private static let setName = CSymbol.find("pthread_setname_np", as: SetName.self)

    static func set(_ name: String) {
        _ = setName?(pthread_self(), name)
    }
}

/// What the new thread starts with.
private final class ThreadStart {
    let queue: JobQueue
    let name: String
    init(queue: JobQueue, name: String) {
        self.queue = queue
        self.name = name
    }
}

/// FIFO of jobs guarded by a condition variable; the thread sleeps while it is empty.
private final class JobQueue: @unchecked Sendable {
    // Safe to share: every field is read and written only while `condition` is locked.
    private let condition = PThreadMutex(withCondition: true)
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
