// Celeriac — a Celery-compatible job service in Swift.

import Testing

@testable import CeleriacCore

/// kombu's `round_robin_cycle` (kombu/utils/scheduling.py) over our list keys.
@Suite struct QueueCycleTests {
    @Test func theQueueAMessageCameFromMovesToTheEnd() {
        var cycle = QueueCycle(["a", "b", "c"])
        #expect(cycle.pollOrder.prefix(3) == ["a", "b", "c"])
        #expect(cycle.pollOrder[3] == "a\u{06}\u{16}3" && cycle.pollOrder.count == 12)
        cycle.rotate(afterKey: "a")
        #expect(cycle.order == ["b", "c", "a"])
        cycle.rotate(afterKey: "c\u{06}\u{16}9")  // a priority list's message rotates its queue
        #expect(cycle.order == ["b", "a", "c"])
        cycle.rotate(afterKey: "unknown")
        #expect(cycle.order == ["b", "a", "c"])
    }

    @Test func queueNamesDropOnlyTheLastPrioritySuffix() {
        #expect(RedisKeys.queueName(ofKey: "celery") == "celery")
        #expect(RedisKeys.queueName(ofKey: "celery\u{06}\u{16}6") == "celery")
        #expect(RedisKeys.queueName(ofKey: "") == "")
    }
}
