// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacPostgres
import Foundation
import Testing

@testable import CeleriacAPI

@Suite struct HistoryBufferTests {
    let start = ContinuousClock.now

    func entry(_ id: String, _ status: TaskState) -> HistoryEntry {
        HistoryEntry(taskID: id, status: status, at: Date())
    }

    @Test func nothingIsDueBeforeTheWindow() {
        var buffer = HistoryBuffer(capacity: 10)
        let first = buffer.append(entry("a", .pending), at: start)
        let second = buffer.append(entry("b", .pending), at: start + .milliseconds(10))
        #expect(first && !second)  // only an empty buffer's first entry wakes the writer
        let early = buffer.takeDue(now: start + .milliseconds(999), window: .seconds(1), limit: 100)
        #expect(early.isEmpty)
        #expect(buffer.count == 2 && buffer.oldest == start)
    }

    @Test func laterStatesOfATaskMergeIntoItsWaitingEntry() {
        var buffer = HistoryBuffer(capacity: 10)
        buffer.append(entry("a", .pending), at: start)
        buffer.append(entry("b", .pending), at: start + .milliseconds(500))
        buffer.append(entry("a", .started), at: start + .milliseconds(600))
        buffer.append(entry("a", .success), at: start + .milliseconds(700))
        #expect(buffer.count == 2)
        let taken = buffer.takeDue(now: start + .seconds(1), window: .seconds(1), limit: 100)
        #expect(taken.map(\.entry.taskID) == ["a"])
        #expect(taken.map(\.entry.status) == [.success])
        #expect(taken.map(\.at) == [start])  // due by its first state
        #expect(buffer.count == 1 && buffer.oldest == start + .milliseconds(500))
        // A state arriving after its task was taken starts a new entry.
        buffer.append(entry("a", .success), at: start + .seconds(1))
        // Everything goes when the window is zero (shutdown).
        let rest = buffer.takeDue(now: start + .seconds(1), window: .zero, limit: 100)
        #expect(rest.map(\.entry.taskID) == ["b", "a"])
        #expect(buffer.count == 0 && buffer.oldest == nil)
    }

    @Test func manyEntriesGoOutInOrderInBatchesOfTheLimit() {
        var buffer = HistoryBuffer(capacity: 10_000)
        for i in 0..<5_000 { buffer.append(entry("t\(i)", .pending), at: start + .microseconds(i)) }
        var seen: [String] = []
        while case let batch = buffer.takeDue(now: start + .seconds(2), window: .seconds(1), limit: 1000), !batch.isEmpty {
            #expect(batch.count == 1000)
            seen += batch.map(\.entry.taskID)
            buffer.append(entry("late\(seen.count)", .pending), at: start + .seconds(2))  // not due yet
        }
        #expect(seen == (0..<5_000).map { "t\($0)" })
        #expect(buffer.count == 5)
    }

    @Test func failedWritesGoBackInOrderAndTheOldestAreDroppedWhenFull() {
        var buffer = HistoryBuffer(capacity: 3)
        buffer.append(entry("a", .pending), at: start)
        buffer.append(entry("b", .pending), at: start + .milliseconds(1))
        let taken = buffer.takeDue(now: start + .seconds(2), window: .seconds(1), limit: 1)
        #expect(taken.map(\.entry.taskID) == ["a"])
        buffer.append(entry("c", .pending), at: start + .milliseconds(2))
        buffer.append(entry("a", .success), at: start + .milliseconds(3))  // while "a" was being written
        buffer.putBack(taken)
        #expect(buffer.items.map(\.entry.taskID) == ["a", "b", "c"])
        #expect(buffer.items.map(\.entry.status) == [.success, .pending, .pending])
        buffer.append(entry("d", .pending), at: start + .milliseconds(4))
        #expect(buffer.items.map(\.entry.taskID) == ["b", "c", "d"] && buffer.dropped == 1)
    }
}
