// Celeriac — a Celery-compatible job service in Swift.

import CeleriacSystem
import Testing

/// The pool the PostgreSQL and HTTP clients share: each slot's resource lives on its thread,
/// is created once and reused, and calls spread over the slots.
@Suite struct ThreadSlotsTests {
    final class Resource: @unchecked Sendable {
        let serial: Int
        init(serial: Int) { self.serial = serial }
    }

    @Test func eachSlotKeepsItsResourceAcrossCalls() async throws {
        let slots = ThreadSlots<Resource>(count: 2, name: "test-slots")
        let made = Locked(0)
        let serials = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    try await slots.withLeastBusy { resource in
                        if resource == nil { resource = Resource(serial: made.withLock { $0 += 1; return $0 }) }
                        return resource!.serial
                    }
                }
            }
            return try await group.reduce(into: Set<Int>()) { $0.insert($1) }
        }
        #expect(made.current <= 2 && serials == Set(1...made.current))
    }

    @Test func anErrorReachesTheCallerAndTheSlotStaysUsable() async throws {
        struct Refused: Error {}
        let slots = ThreadSlots<Resource>(count: 1, name: "test-slots")
        await #expect(throws: Refused.self) { try await slots.withLeastBusy { _ in throw Refused() } }
        #expect(try await slots.withLeastBusy { _ in 7 } == 7)
    }
}
