// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import Testing

@Suite struct BackoffTests {
    @Test func doublesFromTheBaseUpToTheCap() {
        let backoff = Backoff(base: .milliseconds(50), cap: .seconds(2))
        let delays = (1...8).map { backoff.delay(afterFailures: $0) }
        #expect(delays == [50, 100, 200, 400, 800, 1600, 2000, 2000].map { Duration.milliseconds($0) })
        // Never below the base, never above the cap, and no overflow after many failures.
        #expect(backoff.delay(afterFailures: 0) == .milliseconds(50))
        #expect(backoff.delay(afterFailures: 10_000) == .seconds(2))
        #expect(Backoff(base: .seconds(3), cap: .seconds(1)).delay(afterFailures: 1) == .seconds(1))
    }

    @Test func durationUnits() {
        #expect(Duration.milliseconds(1500).timeInterval == 1.5)
        #expect(Duration.milliseconds(1500).wholeMilliseconds == 1500)
        #expect(Duration.microseconds(999).wholeMilliseconds == 0)
    }
}
