// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
import CeleriacSystem

extension TaskPublisher {
    /// A leader's right to publish: beat's lease token, checked by Redis in the same step.
    public struct Fence: Sendable {
        public var leaderKey: String
        public var token: String
        public init(leaderKey: String = RedisKeys.beatLeader, token: String) {
            self.leaderKey = leaderKey
            self.token = token
        }
    }

    /// One fenced request: the task (its id set, derived from the tick) and its dedup key.
    public struct FencedRequest: Sendable {
        public var request: Request
        public var dedupKey: String
        public init(request: Request, dedupKey: String) {
            self.request = request
            self.dedupKey = dedupKey
        }
    }

    /// Publishes `requests` in one Redis step if `fence` holds the leader lease, each once per
    /// dedup key (kept `dedupTTLMilliseconds`); `outboxEntry` makes the history outbox entry
    /// added with each task sent (its PENDING row).
    /// - Returns: nil when the lease is someone else's (nothing sent); else, per request,
    ///   true if it was sent now and false if its dedup key was there (sent before).
    /// - Throws: ``RedisError`` when Redis is unreachable or refuses the script.
    public func publish(
        _ requests: [FencedRequest], fence: Fence, dedupTTLMilliseconds: Int,
        outboxEntry: (@Sendable (Published) -> [UInt8])? = nil
    ) async throws -> [Bool]? {
        guard !requests.isEmpty else { return [] }
        let now = clock.now
        var args: [[UInt8]] = [
            Array(fence.token.utf8), Array(String(dedupTTLMilliseconds).utf8),
            Array(String(broker.recordTTLSeconds).utf8), Array(String(requests.count).utf8),
        ]
        for fenced in requests {
            let prepared = prepare(fenced.request, id: fenced.request.id ?? TaskID.random(), now: now)
            let queue = fenced.request.options.queue
            let fields = prepared.record.hashFields()
            let published = Published(
                id: prepared.record.id, outcome: .published(queueLength: 0), record: prepared.record,
                argsrepr: prepared.new.argsrepr, kwargsrepr: prepared.new.kwargsrepr)
            let history = outboxEntry?(published) ?? []
            args += [
                Array(fenced.dedupKey.utf8), Array(RedisKeys.queue(queue, priority: fenced.request.options.priority).utf8),
                Array(RedisKeys.task(prepared.record.id).utf8), Array(RedisKeys.bindingMember(queue).utf8),
                TaskMessage.envelope(prepared.new), history, Array(String(fields.count * 2).utf8),
            ]
            for (field, value) in fields { args += [Array(field.utf8), Array(value.utf8)] }
        }
        let reply = try await broker.redis.run(
            .beatFire,
            keys: [fence.leaderKey, RedisKeys.bindingSet, RedisKeys.permanentBindingSet, RedisKeys.historyOutbox],
            rawArgs: args)
        guard let sent = reply.array else {
            if reply.integer == -1 { return nil }
            throw RedisError.server("beat_fire: unexpected reply \(reply)")
        }
        return sent.map { $0.integer == 1 }
    }
}
