// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The task names our workers know, in Redis (DESIGN §6): each worker announces its jobs'
/// specs at start and touches their names in every heartbeat; the API reads them to list
/// them (`GET /registered-tasks`) and to refuse a task no worker knows.
public struct TaskRegistry: Sendable {
    public let redis: RedisClient

    public init(redis: RedisClient) { self.redis = redis }

    /// A registered name: its spec, who announced it and when last.
    public struct Entry: Sendable, Equatable {
        public var spec: JobSpec
        public var lastSeen: Date?
        /// `worker` (one of ours, with the job's spec) or `celery` (a Celery worker's answer;
        /// its arguments are not known).
        public var source: String = "worker"
    }

    /// Records `specs` as known now (a worker starting).
    public func announce(_ specs: [JobSpec], at now: Date) async throws {
        guard !specs.isEmpty else { return }
        var hset = ["HSET", RedisKeys.registry]
        for spec in specs { hset += [spec.name, spec.json.jsonText] }
        _ = try await redis.commands([hset, seen(specs.map(\.name), at: now)])
    }

    /// Marks `names` as seen now (a heartbeat).
    public func touch(_ names: [String], at now: Date) async throws {
        guard !names.isEmpty else { return }
        try await redis.command(seen(names, at: now).map { Array($0.utf8) })
    }

    /// Every registered name.
    public func entries() async throws -> [String: Entry] {
        let replies = try await redis.commands([
            ["HGETALL", RedisKeys.registry], ["ZRANGE", RedisKeys.registrySeen, "0", "-1", "WITHSCORES"],
            ["HKEYS", RedisKeys.registryCelery],
        ])
        var seen: [String: Date] = [:]
        for (name, score) in replies[1].stringPairs {
            if let millis = Double(score) { seen[name] = Date(timeIntervalSince1970: millis / 1000) }
        }
        var entries: [String: Entry] = [:]
        for name in (replies[2].array ?? []).compactMap(\.string) {
            entries[name] = Entry(spec: JobSpec(name: name), lastSeen: seen[name], source: "celery")
        }
        for (name, text) in replies[0].stringPairs {
            let spec = (try? JSONValue.parse(Array(text.utf8))).flatMap(JobSpec.init(json:))
            entries[name] = Entry(spec: spec ?? JobSpec(name: name), lastSeen: seen[name])
        }
        return entries
    }

    /// Asks live Celery workers for their task names (Celery's `registered` inquiry on the
    /// pidbox channel), waits up to `timeout` for their replies, and records the names.
    /// Returns at once when no one but our own workers listens on the channel.
    /// - Parameter replyKey: this asker's id (a random uuid).
    /// - Returns: the names the Celery workers answered.
    @discardableResult
    public func askCeleryWorkers(replyKey: String, timeout: Duration, now: Date) async throws -> [String] {
        let inquiry = RegisteredInquiry(ticket: replyKey + "-t", replyKey: replyKey)
        // Replies block on a list: a connection of this inquiry's own.
        let waiter = RedisClient(url: redis.url, name: "redis-inquiry", timeout: timeout + .seconds(2))
        let liveSince = String(Int64((now.timeIntervalSince1970 - 10) * 1000))
        let setup = try await waiter.commands([
            ["SADD", RegisteredInquiry.bindingSet, inquiry.bindingMember],
            ["ZCOUNT", RedisKeys.workers, liveSince, "+inf"],
            ["PUBLISH", RedisKeys.celeryPidbox(database: redis.url.database),
             String(decoding: inquiry.envelope(deliveryTag: replyKey, expires: now.addingTimeInterval(timeout.timeInterval)), as: UTF8.self)],
        ])
        defer { Task { _ = try? await waiter.commands([["SREM", RegisteredInquiry.bindingSet, inquiry.bindingMember], ["DEL", inquiry.replyList]]) } }
        // Everyone subscribed got it; our workers (one subscription each) do not answer.
        let expected = max(0, Int(setup[2].integer ?? 0) - Int(setup[1].integer ?? 0))
        var answers: [String: String] = [:]
        var replies = 0
        let deadline = ContinuousClock.now + timeout
        while replies < expected {
            let left = deadline - ContinuousClock.now
            guard left > .milliseconds(1) else { break }
            let reply = try await waiter.command("BRPOP", inquiry.replyList, String(Double(Int64(left.timeInterval * 1000)) / 1000))
            guard let parts = reply.array, parts.count == 2, let payload = parts[1].bytes else { break }
            guard let workers = inquiry.names(inReply: payload) else { continue }
            replies += 1
            for (worker, names) in workers {
                for name in names where !name.hasPrefix("celery.") { answers[name] = worker }
            }
        }
        if !answers.isEmpty {
            var hset = ["HSET", RedisKeys.registryCelery]
            for (name, worker) in answers { hset += [name, worker] }
            _ = try await redis.commands([hset, seen(Array(answers.keys), at: now)])
        }
        return answers.keys.sorted()
    }

    private func seen(_ names: [String], at now: Date) -> [String] {
        let score = String(Int64((now.timeIntervalSince1970 * 1000).rounded()))
        return ["ZADD", RedisKeys.registrySeen] + names.flatMap { [score, $0] }
    }
}
