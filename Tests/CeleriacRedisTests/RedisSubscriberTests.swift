// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacRedis
import CeleriacSystem
import Foundation
import TestSupport
import Testing

/// The shared pub/sub connection against a real Redis: channels come and go while it runs,
/// and a dropped connection comes back with every channel subscribed again.
@Suite(.enabled(if: TestServices.enabled, "needs the test Redis (make test)"), .redisDatabase(20))
struct RedisSubscriberTests {
    final class Events: Sendable {
        let log = Locked<[String]>([])
        let changed = WakeSignal()
        func add(_ event: RedisSubscriber.Event) {
            switch event {
            case .subscribed(let channel): log.withLock { $0.append("subscribed \(channel)") }
            case .message(let channel, let payload):
                log.withLock { $0.append("\(channel): \(String(decoding: payload, as: UTF8.self))") }
            }
            changed.notify()
        }

        /// Waits (up to 5 s) until `entry` has been seen `count` times.
        func waitFor(_ entry: String, count: Int = 1) async -> Bool {
            let deadline = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < deadline {
                if log.withLock({ $0.filter { $0 == entry }.count }) >= count { return true }
                await changed.wait(timeout: .milliseconds(100))
            }
            return false
        }
    }

    @Test func channelsAreAddedWhileRunningAndSurviveAReconnect() async throws {
        let redis = RedisClient(url: try TestServices.redisURL)
        let name = TestServices.uniqueName("subscriber")
        let fixed = TestServices.uniqueName("fixed")
        let added = TestServices.uniqueName("added")
        let subscriber = RedisSubscriber(url: try TestServices.redisURL, name: name, channels: [fixed])
        let events = Events()
        subscriber.start { events.add($0) }
        defer { subscriber.stop() }
        #expect(await events.waitFor("subscribed \(fixed)"))
        subscriber.subscribe(added)
        #expect(await events.waitFor("subscribed \(added)"))
        _ = try await redis.command("PUBLISH", added, "one")
        #expect(await events.waitFor("\(added): one"))
        // The server drops the connection: both channels come back, and are announced again.
        let clients = try await redis.command("CLIENT", "LIST", "TYPE", "pubsub").string ?? ""
        let id = try #require(clients.split(separator: "\n").first { $0.contains("name=\(name) ") }?
            .split(separator: " ").first { $0.hasPrefix("id=") }?.dropFirst(3))
        #expect(try await redis.command("CLIENT", "KILL", "ID", String(id)).integer == 1)
        #expect(await events.waitFor("subscribed \(fixed)", count: 2))
        #expect(await events.waitFor("subscribed \(added)", count: 2))
        _ = try await redis.command("PUBLISH", fixed, "two")
        #expect(await events.waitFor("\(fixed): two"))
        // The last interest gone, the channel is unsubscribed.
        subscriber.unsubscribe(added)
        var numsub = 1
        for _ in 0..<50 where numsub != 0 {
            numsub = Int(try await redis.command("PUBSUB", "NUMSUB", added).array?.last?.integer ?? -1)
            if numsub != 0 { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(numsub == 0)
        #expect(subscriber.channelCount == 1)
    }
}
