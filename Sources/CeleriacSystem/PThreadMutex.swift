// Celeriac — a Celery-compatible job service in Swift.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A pthread mutex, with a condition variable when asked for one, owned by this object. The
/// worker's locks and blocking threads use it instead of Foundation's `NSLock`/`NSCondition`/
/// `Thread`, so the worker links FoundationEssentials only (an idle worker's memory is mostly
/// shared-library pages; full Foundation with ICU was about a third of it).
public final class PThreadMutex: @unchecked Sendable {
    // Safe to share: the pthread objects are what makes it safe; they never move (heap).
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Only ``BlockingThread``'s queue waits; every `Locked` would otherwise carry one unused.
    private let condition: UnsafeMutablePointer<pthread_cond_t>?

    public init(withCondition: Bool = false) {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        if withCondition {
            let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
            condition.initialize(to: pthread_cond_t())
            pthread_cond_init(condition, nil)
            self.condition = condition
        } else {
            condition = nil
        }
    }

    deinit {
        if let condition {
            pthread_cond_destroy(condition)
            condition.deallocate()
        }
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }
    /// Sleeps until ``signal()``; call with the mutex held (it is held again on return).
    /// Needs `withCondition: true`.
    public func wait() { pthread_cond_wait(condition!, mutex) }
    public func signal() { pthread_cond_signal(condition!) }
}
