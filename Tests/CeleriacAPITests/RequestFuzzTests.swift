// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import Foundation
import TestSupport
import Testing

/// Random byte streams through the whole request path (socket, NIO's decoder, the guard and
/// direct handlers, the router, JSON, validation, Redis, PostgreSQL): well-formed requests
/// mutated at random, for a bounded time. Whatever comes in, every answer is below 500 and
/// the server keeps answering. A failing input is written to a file named in the failure;
/// copied into `Fixtures/fuzz-regressions/` it is replayed on every run.
///
/// `CELERIAC_FUZZ_SEED` repeats a run (the seed is in every failure), `CELERIAC_FUZZ_SECONDS`
/// sets its length (default 15).
@Suite(.enabled(if: TestServices.enabled, "needs the test Redis and PostgreSQL (make test)"), .redisDatabase(26))
struct RequestFuzzTests {
    static let environment = ProcessInfo.processInfo.environment
    static let seed = environment["CELERIAC_FUZZ_SEED"].flatMap { UInt64($0) } ?? UInt64(Date().timeIntervalSince1970 * 1000)
    static let seconds = environment["CELERIAC_FUZZ_SECONDS"].flatMap { Double($0) } ?? 15
    /// Failed authentications are part of the input: none may lock the fuzzer out.
    static let stackEnvironment = ["CELERIAC_AUTH_FAILURES_PER_MINUTE": "0", "CELERIAC_HEADER_TIMEOUT": "2"]

    static var regressions: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/fuzz-regressions")
    }

    @Test func savedRegressionsAreAnsweredBelow500() async throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.regressions.path).filter { $0.hasSuffix(".http") }.sorted()
        #expect(files.count >= 5)
        try await LiveStack.run(startWorker: false, environment: Self.stackEnvironment) { stack in
            for file in files {
                let raw = try Data(contentsOf: Self.regressions.appendingPathComponent(file))
                let bytes = Self.withToken(Array(raw), stack.adminToken)
                let statuses = try await Self.statuses(answering: bytes, port: stack.port)
                #expect(!statuses.isEmpty && statuses.allSatisfy { $0 < 500 }, "\(file): \(statuses)")
            }
            try await Self.expectAlive(stack)
        }
    }

    @Test func mutatedRequestsAreAnsweredBelow500AndTheServerStaysUp() async throws {
        try await LiveStack.run(startWorker: false, environment: Self.stackEnvironment) { stack in
            let corpus = Self.corpus(stack)
            let deadline = ContinuousClock.now + .seconds(Self.seconds)
            let (tried, answered) = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                for lane in 0..<4 {
                    group.addTask {
                        var random = SplitMix64(seed: Self.seed &+ UInt64(lane))
                        var count = 0
                        var answered = 0
                        while ContinuousClock.now < deadline {
                            let input = Mutator.mutate(corpus.randomElement(using: &random)!, corpus: corpus, using: &random)
                            let statuses = try await Self.statuses(answering: input, port: stack.port)
                            if !statuses.isEmpty { answered += 1 }
                            if let bad = statuses.first(where: { $0 >= 500 }) {
                                let file = "/tmp/celeriac-fuzz-\(Self.seed)-\(lane)-\(count).http"
                                _ = FileManager.default.createFile(atPath: file, contents: Data(input))
                                Issue.record("status \(bad) for the input saved in \(file) (seed \(Self.seed))")
                            }
                            count += 1
                            if count % 50 == 0 { try await Self.expectAlive(stack) }
                        }
                        return (count, answered)
                    }
                }
                return try await group.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
            }
            try await Self.expectAlive(stack)
            // Most inputs must reach an answer, or the run tested little but the decoder's patience.
            #expect(tried >= 100 && answered * 2 >= tried, "\(answered) of \(tried) inputs answered (seed \(Self.seed))")
            print("fuzz: \(answered) of \(tried) inputs answered in \(Self.seconds) s, seed \(Self.seed)")
        }
    }

    /// Status codes of the answers to `bytes`; a read waits half a second at most, since
    /// many inputs are cut short and wait for bytes that never come.
    static func statuses(answering bytes: [UInt8], port: Int) async throws -> [Int] {
        let answer: [UInt8]
        do {
            answer = try await RawHTTP.exchange(bytes, port: port, timeout: 0.5).bytes
        } catch is RawHTTP.Failure {
            return []  // the server closed before taking everything: fine
        }
        let text = String(decoding: answer, as: UTF8.self)
        return text.split(separator: "\r\n", omittingEmptySubsequences: false).compactMap { line -> Int? in
            guard line.hasPrefix("HTTP/1.1 "), line.count >= 12 else { return nil }
            return Int(line.dropFirst(9).prefix(3))
        }
    }

    static func expectAlive(_ stack: LiveStack) async throws {
        #expect(try await RawHTTP.send("GET", "/health", port: stack.port).status == 200)
        let (bytes, _) = try await RawHTTP.exchange(
            Array(stack.raw("POST", "/tasks", body: #"{"task": "celeriac.echo"}"#, headers: ["Connection: close"]).utf8),
            port: stack.port)
        #expect(try RawHTTP.replies(in: bytes).first?.status == 201)
    }

    static func withToken(_ bytes: [UInt8], _ token: String) -> [UInt8] {
        Array(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "__TOKEN__", with: token).utf8)
    }

    /// Well-formed requests to every kind of route, each closing its connection.
    static func corpus(_ stack: LiveStack) -> [[UInt8]] {
        let close = ["Connection: close"]
        let id = "6f1d6f0e-0000-4000-8000-000000000001"
        let requests = [
            stack.raw("POST", "/tasks", body: #"{"task": "celeriac.echo", "args": [1, "x", {"a": [true, null, 1.5e3]}], "kwargs": {"k": "v"}, "queue": "\#(stack.queue)", "priority": 3, "countdown": 5, "expires": 600, "retry": {"max_retries": 2, "countdown": 1}}"#, headers: close),
            stack.raw("POST", "/tasks", body: #"{"task": "backup.postgres", "kwargs": {"directory": "x", "keep": 2}}"#, headers: close + ["Idempotency-Key: k-1"]),
            stack.raw("POST", "/tasks/\(id)/revoke", body: #"{"terminate": true, "signal": "SIGTERM"}"#, headers: close),
            stack.raw("GET", "/tasks/\(id)?wait=0", headers: close),
            stack.raw("GET", "/tasks?state=SUCCESS&task=celeriac.echo&limit=5&cursor=abc", headers: close),
            stack.raw("POST", "/periodic-tasks", body: #"{"name": "fz", "task": "celeriac.echo", "args": [1], "crontab": {"minute": "*/5", "hour": "1-3", "day_of_week": "mon", "timezone": "Asia/Seoul"}}"#, headers: close),
            stack.raw("PATCH", "/periodic-tasks/1", body: #"{"enabled": false, "interval": {"every": 10, "period": "seconds"}}"#, headers: close),
            stack.raw("POST", "/periodic-tasks/actions/toggle", body: #"{"ids": [1, 2]}"#, headers: close),
            stack.raw("POST", "/clocked-schedules", body: #"{"clocked_time": "2030-01-01T00:00:00Z"}"#, headers: close),
            stack.raw("POST", "/solar-schedules", body: #"{"event": "sunset", "latitude": 37.5, "longitude": 127.0}"#, headers: close),
            stack.raw("GET", "/queues", headers: close),
            stack.raw("GET", "/registered-tasks", headers: close),
            stack.raw("POST", "/tokens", body: #"{"name": "fuzzed", "scopes": ["read"]}"#, headers: close),
            RawHTTP.request("GET", "/health", headers: close),
            "POST /tasks HTTP/1.1\r\nHost: x\r\n\(stack.authorizationLine)\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "10\r\n{\"task\": \"celer\r\nd\r\niac.echo\"}   \r\n0\r\n\r\n",
        ]
        return requests.map { Array($0.utf8) }
    }
}

/// Changes a request the ways that find parser bugs: flipped and inserted bytes (often the
/// ones HTTP and JSON give meaning to), cut and repeated ranges, a wrong `Content-Length`,
/// another request spliced on.
enum Mutator {
    static let tokens: [[UInt8]] = [
        "\r\n", "\r\n\r\n", "\0", ":", " ", "\u{FF}", "%", "%00", "{", "}", "[", "]", "\"", "\\", "\\u0000", "\\ud800", ",",
        "99999999999999999999", "-1", "1e999", "null", "chunked", "Transfer-Encoding: chunked\r\n", "Content-Length: 5\r\n",
        "HTTP/1.0", "/../", "?wait=", "é", "\u{1F600}",
    ].map { Array($0.utf8) }

    static func mutate(_ base: [UInt8], corpus: [[UInt8]], using random: inout SplitMix64) -> [UInt8] {
        var bytes = base
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let at = Int.random(in: 0...bytes.count, using: &random)
            switch Int.random(in: 0..<8, using: &random) {
            case 0 where at < bytes.count: bytes[at] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes.insert(contentsOf: tokens.randomElement(using: &random)!, at: at)
            case 2:
                let end = min(bytes.count, at + Int.random(in: 1...16, using: &random))
                bytes.removeSubrange(at..<end)
            case 3:
                let end = min(bytes.count, at + Int.random(in: 1...64, using: &random))
                bytes.insert(contentsOf: bytes[at..<end], at: at)
            case 4: bytes.removeSubrange(at...)
            case 5: bytes += corpus.randomElement(using: &random)!
            case 6:
                let text = String(decoding: bytes, as: UTF8.self)
                if let range = text.range(of: #"Content-Length: \d+"#, options: .regularExpression) {
                    let value = [0, 1, 2, 5000, 1 << 31, Int.random(in: 0...300, using: &random)].randomElement(using: &random)!
                    bytes = Array(text.replacingCharacters(in: range, with: "Content-Length: \(value)").utf8)
                }
            default: bytes.insert(UInt8.random(in: 0...255, using: &random), at: at)
            }
        }
        return bytes
    }
}

/// A small seeded generator, so a failing run can be repeated from its seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
