// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacSystem
import Foundation
import Testing

@Suite struct TaskIDRandomTests {
    @Test func randomIDsAreDistinctVersion4UUIDs() {
        var seen = Set<String>()
        for _ in 0..<1000 {
            let id = TaskID.random()
            #expect(UUID(uuidString: id)?.uuidString.lowercased() == id)
            #expect(Array(id.utf8)[14] == UInt8(ascii: "4"))
            seen.insert(id)
        }
        #expect(seen.count == 1000)
    }
}
