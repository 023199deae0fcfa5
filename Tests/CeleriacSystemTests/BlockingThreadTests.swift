// Celeriac — a Celery-compatible job service in Swift.

import Foundation
import Testing

@testable import CeleriacSystem

@Suite struct BlockingThreadTests {
    /// A blocking call on a dedicated thread must not stall the cooperative pool (2 threads on
    /// our machines): two threads block until the pool has done 50 steps of other work. Were
    /// the pool stalled, the steps could not run, the threads would time out and report it.
    @Test func blockingWorkLeavesThePoolFree() async throws {
        let threads = [BlockingThread(name: "t-0"), BlockingThread(name: "t-1")]
        let release = DispatchSemaphore(value: 0)
        async let released: [Bool] = withThrowingTaskGroup(of: Bool.self) { group in
            for thread in threads {
                group.addTask { try await thread.run { release.wait(timeout: .now() + 20) == .success } }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        var progressed = 0
        for _ in 0..<50 {
            try await Task.sleep(for: .milliseconds(2))
            progressed += 1
        }
        release.signal()
        release.signal()
        #expect(progressed == 50)
        #expect(try await released == [true, true])
    }

    @Test func runsJobsInOrderAndReturnsErrors() async throws {
        let thread = BlockingThread(name: "order")
        let seen = Locked<[Int]>([])
        for i in 0..<100 { thread.submit { seen.withLock { $0.append(i) } } }
        struct Boom: Error {}
        await #expect(throws: Boom.self) { try await thread.run { throw Boom() } }
        #expect(seen.current == Array(0..<100))
    }

    @Test func wakeSignalRemembersANotifyAndTimesOut() async {
        let signal = WakeSignal()
        signal.notify()
        let clock = ContinuousClock()
        let quick = await clock.measure { await signal.wait(timeout: .seconds(5)) }
        #expect(quick < .seconds(1))
        let slow = await clock.measure { await signal.wait(timeout: .milliseconds(100)) }
        #expect(slow >= .milliseconds(90))
    }
}
