// Celeriac — a Celery-compatible job service in Swift.

import CeleriacSystem
import Foundation
import Testing

/// The clock tests move instead of sleeping: sleepers wake when it passes their deadline,
/// never before, and a cancelled sleeper throws at once.
@Suite struct ManualClockTests {
    @Test func sleepersWakeWhenTheClockPassesTheirDeadline() async throws {
        let clock = ManualClock()
        let start = clock.now
        let woke = Locked<[Int]>([])
        let sleepers = (1...3).map { index in
            Task {
                try await clock.sleep(until: start.addingTimeInterval(Double(index) * 10))
                woke.withLock { $0.append(index) }
            }
        }
        try await clock.waitForSleepers(3)
        clock.advance(by: 15)
        try await sleepers[0].value
        #expect(woke.current == [1])
        #expect(clock.sleeperCount == 2)
        clock.advance(by: 100)
        for sleeper in sleepers { try await sleeper.value }
        #expect(woke.current.sorted() == [1, 2, 3])
        #expect(clock.now == start.addingTimeInterval(115))
    }

    @Test func aCancelledSleeperThrowsAtOnce() async throws {
        let clock = ManualClock()
        let sleeper = Task { try await clock.sleep(for: .seconds(3600)) }
        try await clock.waitForSleepers(1)
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(clock.sleeperCount == 0)
    }

    @Test func aDeadlineInThePastReturnsAtOnce() async throws {
        let clock = ManualClock()
        try await clock.sleep(until: clock.now.addingTimeInterval(-1))
        #expect(clock.sleeperCount == 0)
    }

    @Test func aWakeSignalTimesOutOnTheClockAndANotifyWinsOverIt() async throws {
        let clock = ManualClock()
        let signal = WakeSignal()
        let waiter = Task { await signal.wait(timeout: .seconds(5), clock: clock) }
        try await clock.waitForSleepers(1)
        clock.advance(by: 5)
        await waiter.value
        // A notify ends the wait and takes its timer off the clock.
        let second = Task { await signal.wait(timeout: .seconds(5), clock: clock) }
        try await clock.waitForSleepers(1)
        signal.notify()
        await second.value
        for _ in 0..<1000 where clock.sleeperCount > 0 { try await Task.sleep(for: .milliseconds(1)) }
        #expect(clock.sleeperCount == 0)
    }
}
