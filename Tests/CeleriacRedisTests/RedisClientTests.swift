// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacRedis
import Foundation
import TestSupport
import Testing

@Suite(.enabled(if: TestServices.enabled, "needs the test Redis (make test)"), .redisDatabase(5))
struct RedisClientTests {
    @Test func setGetAndBinaryValuesRoundTrip() async throws {
        let redis = RedisClient(url: try TestServices.redisURL)
        let key = TestServices.uniqueName("celeriac:test:bin")
        let value: [UInt8] = [0, 1, 2, 0xFF, 0x0D, 0x0A, 0x06, 0x16]
        _ = try await redis.command([Array("SET".utf8), Array(key.utf8), value])
        #expect(try await redis.command("GET", key).bytes == value)
        #expect(try await redis.command("DEL", key).integer == 1)
        #expect(try await redis.command("GET", key) == .null)
    }

    @Test func concurrentRequestsArePipelinedAndEachGetsItsOwnReply() async throws {
        let redis = RedisClient(url: try TestServices.redisURL)
        let key = TestServices.uniqueName("celeriac:test:incr")
        // 2,000 INCRs from as many tasks: every reply is distinct, so replies were matched
        // to their requests in order even when batched together.
        let replies = try await withThrowingTaskGroup(of: Int64.self) { group in
            for _ in 0..<2_000 { group.addTask { try await redis.command("INCR", key).integer ?? -1 } }
            return try await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        #expect(Set(replies) == Set(1...2_000))
        _ = try await redis.command("DEL", key)
    }

    @Test func aPipelineAnswersInOrderAndFailsAsAWholeOnABrokenConnection() async throws {
        let redis = RedisClient(url: try TestServices.redisURL)
        let key = TestServices.uniqueName("celeriac:test:pipe")
        let replies = try await redis.connection.send(pipeline: [
            ["SET", key, "1"], ["INCR", key], ["NOSUCHCOMMAND"], ["GET", key], ["DEL", key],
        ].map { $0.map { Array($0.utf8) } })
        #expect(replies.count == 5)
        #expect(replies[0].string == "OK" && replies[1].integer == 2 && replies[3].string == "2" && replies[4].integer == 1)
        if case .error = replies[2] {} else { Issue.record("expected an error reply, got \(replies[2])") }
        // The server closes the connection at QUIT's reply: the read after it fails.
        await #expect(throws: RedisError.self) {
            _ = try await redis.connection.send(pipeline: [["QUIT"], ["PING"]].map { $0.map { Array($0.utf8) } })
        }
        try await redis.ping()  // reconnects
    }

    @Test func serverErrorsAreReportedNotFatal() async throws {
        let redis = RedisClient(url: try TestServices.redisURL)
        await #expect(throws: RedisError.self) { try await redis.command("NOSUCHCOMMAND") }
        try await redis.ping()
    }

    @Test func scriptsSurviveScriptFlush() async throws {
        let redis = RedisClient(url: try TestServices.redisURL)
        let script = RedisScript(name: "test-echo", source: "return ARGV[1] .. KEYS[1]")
        let behind = RedisScript(name: "test-echo-behind", source: "return KEYS[1] .. ARGV[1]")
        let ping = [Array("PING".utf8)]
        #expect(try await redis.run(script, keys: ["k"], args: ["v"]).string == "vk")
        #expect(try await redis.run(after: ping, behind, keys: ["k"], args: ["x"]).string == "kx")
        let batched = RedisScript(name: "test-echo-batched", source: "return ARGV[1]")
        let calls = ["a", "b", "c"].map { (keys: [String](), args: [$0]) }
        #expect(try await redis.run(batched, calls: calls).map(\.string) == ["a", "b", "c"])
        // One flush only: other suites share this server, and each of their calls survives one.
        _ = try await redis.command("SCRIPT", "FLUSH")
        // The cached SHA is gone on the server: EVALSHA gets NOSCRIPT, the client reloads.
        #expect(try await redis.run(script, keys: ["k2"], args: ["w"]).string == "wk2")
        // Likewise behind a pipelined command: the script runs again on its own.
        #expect(try await redis.run(after: ping, behind, keys: ["k3"], args: ["y"]).string == "k3y")
        // And a pipelined batch: every call answered NOSCRIPT is run again, in order.
        #expect(try await redis.run(batched, calls: calls).map(\.string) == ["a", "b", "c"])
    }

    @Test func wrongPasswordIsAConnectError() async throws {
        var url = try TestServices.redisURL
        url.password = "not-the-password"
        let redis = RedisClient(url: url, timeout: .seconds(2))
        await #expect(throws: RedisError.self) { try await redis.ping() }
    }

    @Test func unreachableServerFailsFastWithConnectionProblem() async throws {
        var url = try TestServices.redisURL
        url.port = 1  // nothing listens on port 1
        let redis = RedisClient(url: url, timeout: .seconds(2))
        let started = ContinuousClock.now
        do {
            try await redis.ping()
            Issue.record("ping to port 1 succeeded")
        } catch let error as RedisError {
            #expect(error.isConnectionProblem)
        }
        #expect(ContinuousClock.now - started < .seconds(10))  // fails, does not hang
    }

    @Test func reconnectsAfterTheServerDropsTheConnection() async throws {
        let redis = RedisClient(url: try TestServices.redisURL, name: TestServices.uniqueName("victim"))
        try await redis.ping()
        let id = try #require(try await redis.command("CLIENT", "ID").integer)
        let admin = RedisClient(url: try TestServices.redisURL)
        _ = try await admin.command("CLIENT", "KILL", "ID", String(id))
        // The first call after the kill may fail (the command may not have run); within the
        // backoff window the client connects again by itself.
        var recovered = false
        for _ in 0..<50 where !recovered {
            if (try? await redis.ping()) != nil { recovered = true } else { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(recovered)
        #expect(try await redis.command("CLIENT", "ID").integer != id)
    }

    @Test func aBlockedConnectionDoesNotStallOtherClients() async throws {
        let url = try TestServices.redisURL
        // Its read timeout outlasts the 20 s wait: under a loaded test run the pings below
        // may take longer than the default 5 s.
        let blocking = RedisClient(url: url, name: "blocker", timeout: .seconds(30))
        let other = RedisClient(url: url)
        let key = TestServices.uniqueName("celeriac:test:wake")
        // Blocks for up to 20 s; it returns true only if the push below woke it, which
        // happens after the other client's 20 round trips completed while it was blocked.
        async let woken = Broker.waitForMessage(on: blocking, key: key, seconds: 20)
        try await Task.sleep(for: .milliseconds(100))
        for _ in 0..<20 { try await other.ping() }
        _ = try await other.command("LPUSH", key, "wake")
        #expect(try await woken == true)
        _ = try await other.command("DEL", key)
    }
}
