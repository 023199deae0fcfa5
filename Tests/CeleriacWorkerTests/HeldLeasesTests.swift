// Celeriac — a Celery-compatible job service in Swift.

import Testing

@testable import CeleriacWorker

@Suite struct HeldLeasesTests {
    @Test func releasedAndUnknownLeasesNeitherRunNorReport() {
        let held = HeldLeases()
        held.add(["1", "2"])
        #expect(!held.isReleased("1") && held.isReleased("unknown"))
        #expect(Set(held.releaseActive()) == ["1", "2"])
        #expect(held.isReleased("1") && held.contains("1") && held.active.isEmpty)
        held.remove("1")
        #expect(!held.contains("1") && held.releaseActive().isEmpty)
    }
}
