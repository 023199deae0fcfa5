// Celeriac — a Celery-compatible job service in Swift.

import Foundation
import Testing

@testable import CeleriacCore

@Suite struct BlockingThreadTests {
    /// A blocking call on a dedicated thread must not stall the cooperative pool: many tasks
    /// keep finishing while two threads sleep (the pool has 2 threads on our machines).
    @Test func blockingWorkLeavesThePoolFree() async throws {
        let threads = [BlockingThread(name: "t-0"), BlockingThread(name: "t-1")]
        let clock = ContinuousClock()
        let start = clock.now
        async let blocked: [Void] = withThrowingTaskGroup(of: Void.self) { group in
            for thread in threads { group.addTask { () async throws -> Void in try await thread.run { _ = usleep(500_000) } } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        var progressed = 0
        for _ in 0..<50 {
            try await Task.sleep(for: .milliseconds(2))
            progressed += 1
        }
        let elapsedWhileBlocked = clock.now - start
        _ = try await blocked
        #expect(progressed == 50)
        #expect(elapsedWhileBlocked < .milliseconds(450))
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
