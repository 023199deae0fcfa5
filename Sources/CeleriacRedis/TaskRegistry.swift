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

    /// A registered name: its spec and when a worker last announced it.
    public struct Entry: Sendable, Equatable {
        public var spec: JobSpec
        public var lastSeen: Date?
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
        let replies = try await redis.commands([["HGETALL", RedisKeys.registry], ["ZRANGE", RedisKeys.registrySeen, "0", "-1", "WITHSCORES"]])
        var seen: [String: Date] = [:]
        let pairs = replies[1].array ?? []
        for index in stride(from: 0, to: pairs.count - 1, by: 2) {
            if let name = pairs[index].string, let score = pairs[index + 1].string.flatMap(Double.init) {
                seen[name] = Date(timeIntervalSince1970: score / 1000)
            }
        }
        var entries: [String: Entry] = [:]
        let fields = replies[0].array ?? []
        for index in stride(from: 0, to: fields.count - 1, by: 2) {
            guard let name = fields[index].string else { continue }
            let spec = fields[index + 1].string.flatMap { try? JSONValue.parse(Array($0.utf8)) }.flatMap(JobSpec.init(json:))
            entries[name] = Entry(spec: spec ?? JobSpec(name: name), lastSeen: seen[name])
        }
        return entries
    }

    private func seen(_ names: [String], at now: Date) -> [String] {
        let score = String(Int64((now.timeIntervalSince1970 * 1000).rounded()))
        return ["ZADD", RedisKeys.registrySeen] + names.flatMap { [score, $0] }
    }
}
