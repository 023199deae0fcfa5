// Celeriac — a Celery-compatible job service in Swift.

/// A one-waiter wake-up with memory: ``notify()`` before ``wait(timeout:clock:)`` is not
/// lost, and many notifies collapse into one wake. Used where a loop sleeps until "there may
/// be work".
public final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
        var generation = 0
        /// The waiter's timeout; cancelled when a notify wakes it first, so no sleeper is
        /// left on the clock.
        var timer: Task<Void, Never>?
    }
    private let state = Locked(State())

    public init() {}

    /// Wakes the waiter, or makes the next wait return at once.
    public func notify() {
        let (waiter, timer) = state.withLock { state -> (CheckedContinuation<Void, Never>?, Task<Void, Never>?) in
            if let waiter = state.waiter {
                state.waiter = nil
                defer { state.timer = nil }
                return (waiter, state.timer)
            }
            state.pending = true
            return (nil, nil)
        }
        timer?.cancel()
        waiter?.resume()
    }

    /// Returns after a notify or after `timeout` on `clock`, whichever is first. One waiter at a time.
    public func wait(timeout: Duration, clock: any WallClock = SystemClock()) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let generation = state.withLock { state -> Int? in
                if state.pending {
                    state.pending = false
                    return nil
                }
                state.generation += 1
                state.waiter = continuation
                return state.generation
            }
            guard let generation else { return continuation.resume() }
            let timer = Task {
                guard (try? await clock.sleep(for: timeout)) != nil else { return }
                self.expire(generation)
            }
            let stale = state.withLock { state -> Bool in
                guard state.generation == generation, state.waiter != nil else { return true }
                state.timer = timer
                return false
            }
            if stale { timer.cancel() }
        }
    }

    private func expire(_ generation: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.generation == generation, let waiter = state.waiter else { return nil }
            state.waiter = nil
            state.timer = nil
            return waiter
        }
        waiter?.resume()
    }
}
