// Celeriac — a Celery-compatible job service in Swift.

import CeleriacRedis
import CeleriacWorker
import Testing

@Suite struct WorkerErrorTests {
    @Test func anOldRedisIsNamedWithWhatTheWorkerNeeds() {
        let text = "\(WorkerError.unsupportedRedis(RedisServerVersion(major: 6, minor: 2, text: "6.2.14")))"
        #expect(text.contains("Redis 6.2.14 is too old") && text.contains("Redis 7.0 or later"))
    }
}
