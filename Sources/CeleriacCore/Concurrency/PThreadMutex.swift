// Celeriac — a Celery-compatible job service in Swift.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A pthread mutex owned by this object. The worker's locks and blocking threads use it
/// instead of Foundation's `NSLock`/`NSCondition`/`Thread`, so the worker links
/// FoundationEssentials only (an idle worker's memory is mostly shared-library pages; full
/// Foundation with ICU was about a third of it).
public final class PThreadMutex: @unchecked Sendable {
    // Safe to share: the pthread object is what makes it safe; it never moves (heap).
    fileprivate let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }
}

/// A pthread condition variable used with one ``PThreadMutex``.
public final class PThreadCondition: @unchecked Sendable {
    // Safe to share: as for PThreadMutex.
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    public init() {
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deallocate()
    }

    /// Sleeps until ``signal()``; call with `mutex` held (it is held again on return).
    public func wait(_ mutex: PThreadMutex) { pthread_cond_wait(condition, mutex.mutex) }
    public func signal() { pthread_cond_signal(condition) }
}
