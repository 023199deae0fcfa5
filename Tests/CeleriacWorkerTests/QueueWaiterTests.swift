// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacRedis
import Foundation
import TestSupport
import Testing

@testable import CeleriacWorker

@Suite(.enabled(if: TestServices.enabled, "needs the test Redis (make test)"), .redisDatabase(2))
struct QueueWaiterTests {
    /// Some managed Redis services forbid or rename `CLIENT`: the waiter must still claim
    /// from every list, only without the early wake-up.
    @Test func withoutClientCommandsMessagesOnEveryListAreStillClaimed() async throws {
        let admin = RedisClient(url: try TestServices.redisURL)
        let user = TestServices.uniqueName("noclient")
        _ = try await admin.command("ACL", "SETUSER", user, "on", ">secret", "~*", "&*", "+@all", "-client")
        var url = try TestServices.redisURL
        url.username = user
        url.password = "secret"
        let restricted = RedisClient(url: url)
        await #expect(throws: RedisError.self) { try await restricted.command("CLIENT", "ID") }
        let queue = TestServices.uniqueName("q")
        let worker = TestServices.uniqueName("w")
        let broker = Broker(redis: restricted, recordTTLSeconds: 600)
        let waiter = QueueWaiter(keys: RedisKeys.pollOrder([queue]), redisURL: url)
        let id = UUID().uuidString.lowercased()
        let publisher = Task {
            try await Task.sleep(for: .milliseconds(200))  // the waiter is blocked by then
            _ = try await TaskPublisher(broker: broker).publish(
                .init(task: "celeriac.echo", options: TaskOptions(queue: queue, priority: 9), id: id))
        }
        var leases: [Lease] = []
        for _ in 0..<5 where leases.isEmpty {
            leases = try await waiter.waitThenClaim(
                broker: broker, worker: worker, queueKeys: RedisKeys.pollOrder([queue]), limit: 4, leaseMilliseconds: 30_000)
        }
        try await publisher.value
        #expect(try leases.map { try TaskMessage.decode($0.raw).id } == [id])
        _ = try await broker.release(tokens: leases.map(\.token))
        _ = try await admin.command("ACL", "DELUSER", user)  // also closes that user's connections
        _ = try await admin.command("DEL", queue, RedisKeys.queue(queue, priority: 9), RedisKeys.task(id))
    }
}
