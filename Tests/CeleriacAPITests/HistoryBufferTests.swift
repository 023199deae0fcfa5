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

    @Test func aDueEntryTakesTheLaterStatesOfItsTaskAlong() {
        var buffer = HistoryBuffer(capacity: 10)
        buffer.append(entry("a", .pending), at: start)
        buffer.append(entry("b", .pending), at: start + .milliseconds(500))
        buffer.append(entry("a", .started), at: start + .milliseconds(600))
        buffer.append(entry("a", .success), at: start + .milliseconds(700))
        let taken = buffer.takeDue(now: start + .seconds(1), window: .seconds(1), limit: 100)
        #expect(taken.map(\.entry.taskID) == ["a", "a", "a"])
        #expect(taken.map(\.entry.status) == [.pending, .started, .success])
        #expect(buffer.count == 1 && buffer.oldest == start + .milliseconds(500))
        // Everything goes when the window is zero (shutdown).
        let rest = buffer.takeDue(now: start + .seconds(1), window: .zero, limit: 100)
        #expect(rest.map(\.entry.taskID) == ["b"])
    }

    @Test func failedWritesGoBackInOrderAndTheOldestAreDroppedWhenFull() {
        var buffer = HistoryBuffer(capacity: 3)
        buffer.append(entry("a", .pending), at: start)
        buffer.append(entry("b", .pending), at: start + .milliseconds(1))
        let taken = buffer.takeDue(now: start + .seconds(2), window: .seconds(1), limit: 1)
        #expect(taken.map(\.entry.taskID) == ["a"])
        buffer.append(entry("c", .pending), at: start + .milliseconds(2))
        buffer.putBack(taken)
        #expect(buffer.items.map(\.entry.taskID) == ["a", "b", "c"])
        buffer.append(entry("d", .pending), at: start + .milliseconds(3))
        #expect(buffer.items.map(\.entry.taskID) == ["b", "c", "d"] && buffer.dropped == 1)
    }
}
