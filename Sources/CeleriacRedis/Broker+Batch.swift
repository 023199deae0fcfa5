// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore

extension Broker {
    /// One task of a batch: what ``publish(envelope:queue:priority:record:idempotency:holdSeconds:parkUntil:)`` takes.
    public struct BatchItem: Sendable {
        public var envelope: [UInt8]
        public var queue: String
        public var priority: Int
        public var record: TaskRecord
        public var idempotency: Idempotency?
        public var holdSeconds: Int
        public var parkUntil: Int64?

        public init(
            envelope: [UInt8], queue: String, priority: Int, record: TaskRecord, idempotency: Idempotency? = nil,
            holdSeconds: Int = 0, parkUntil: Int64? = nil
        ) {
            self.envelope = envelope
            self.queue = queue
            self.priority = priority
            self.record = record
            self.idempotency = idempotency
            self.holdSeconds = holdSeconds
            self.parkUntil = parkUntil
        }
    }

    /// Publishes many tasks in one round trip: the tasks without an idempotency key in one
    /// `MULTI`/`EXEC` (one variadic `LPUSH` per queue list in the batch's order, one `ZADD` for
    /// those due later, each record's `HSET` and `EXPIRE`, the bindings once), so Redis applies
    /// all of them or none; those with a key through the same script a single publish uses,
    /// pipelined behind it (each task with its record, atomically; a key repeated in the
    /// batch finds its first use). Outcomes come back in the items' order.
    /// - Throws: ``RedisError`` when Redis is unreachable or refuses the transaction (then
    ///   none of its tasks is queued).
    public func publishBatch(_ items: [BatchItem]) async throws -> [PublishOutcome] {
        var outcomes = [PublishOutcome?](repeating: nil, count: items.count)
        let plain = items.indices.filter { items[$0].idempotency == nil }
        if !plain.isEmpty {
            for (index, outcome) in zip(plain, try await publishTransaction(plain.map { items[$0] })) { outcomes[index] = outcome }
        }
        let keyed = items.indices.filter { items[$0].idempotency != nil }
        if !keyed.isEmpty {
            let replies = try await redis.run(.enqueueOnce, rawCalls: keyed.map { enqueueOnceCall(items[$0]) })
            for (index, reply) in zip(keyed, replies) { outcomes[index] = Self.enqueueOnceOutcome(reply, parked: items[index].parkUntil != nil) }
        }
        return outcomes.map { $0 ?? .parked }
    }

    /// Tasks without an idempotency key, one or many: nothing to decide on Redis's side, so a
    /// transaction does what the script would, for about a quarter less of Redis's time
    /// (BENCHMARKS.md). kombu's bindings are added on every push: a `SADD` of a member already
    /// there costs Redis less than a branch in Lua did.
    func publishTransaction(_ items: [BatchItem]) async throws -> [PublishOutcome] {
        // Queue keys in the order the batch first names them; within a key, the items' order
        // (a variadic LPUSH pushes its arguments left to right, so they are consumed in it).
        var queueKeys: [String] = []
        var byQueue: [String: [Int]] = [:]
        var parked: [Int] = []
        var members: Set<String> = []
        for (index, item) in items.enumerated() {
            members.insert(RedisKeys.bindingMember(item.queue))
            if item.parkUntil != nil {
                parked.append(index)
                continue
            }
            let key = RedisKeys.queue(item.queue, priority: item.priority)
            if byQueue[key] == nil { queueKeys.append(key) }
            byQueue[key, default: []].append(index)
        }
        let capacity = items.reduce(1024) { $0 + $1.envelope.count + 512 }
        let transaction = RESPCommand.transaction(reservingCapacity: capacity) { command in
            for key in queueKeys {
                let indices = byQueue[key]!
                command.next("LPUSH", arguments: 1 + indices.count)
                command.append(key)
                for index in indices { command.append(items[index].envelope) }
            }
            if !parked.isEmpty {
                command.next("ZADD", arguments: 1 + 2 * parked.count)
                command.append(RedisKeys.scheduled)
                for index in parked {
                    let item = items[index]
                    command.append(String(item.parkUntil!))
                    command.append(RedisKeys.scheduledMember(queueKey: RedisKeys.queue(item.queue, priority: item.priority), envelope: item.envelope))
                }
            }
            for item in items {
                let taskKey = RedisKeys.task(item.record.id)
                let fields = item.record.hashFields()
                command.next("HSET", arguments: 1 + 2 * fields.count)
                command.append(taskKey)
                for (field, value) in fields {
                    command.append(field)
                    command.append(value)
                }
                command.next("EXPIRE", taskKey, String(recordTTLSeconds + max(0, item.holdSeconds)))
            }
            for member in members.sorted() {
                command.next("SADD", RedisKeys.bindingSet, member)
                command.next("SADD", RedisKeys.permanentBindingSet, member)
            }
        }
        let reply = try await redis.connection.send(transaction)
        guard case .array(let results) = reply, !results.contains(where: { if case .error = $0 { true } else { false } }) else {
            // A transaction runs the rest after a failing command: take the records back, so
            // no task is left with a record and no message.
            _ = try? await redis.commands([["DEL"] + items.map { RedisKeys.task($0.record.id) }])
            throw RedisError.server("publish batch: \(Self.failure(in: reply))")
        }
        var lengths: [String: Int] = [:]
        for (position, key) in queueKeys.enumerated() { lengths[key] = Int(results[position].integer ?? 0) }
        return items.map { item in
            item.parkUntil != nil ? .parked : .published(queueLength: lengths[RedisKeys.queue(item.queue, priority: item.priority)] ?? 0)
        }
    }

    /// The `enqueueOnce` script's keys and arguments for one keyed item.
    func enqueueOnceCall(_ item: BatchItem) -> (keys: [String], args: [[UInt8]]) {
        let idempotency = item.idempotency!
        var args: [[UInt8]] = [
            item.envelope, Array(String(recordTTLSeconds + max(0, item.holdSeconds)).utf8), Array(RedisKeys.bindingMember(item.queue).utf8),
            Array(item.record.id.utf8), Array(idempotency.canonicalRequest.utf8), Array(String(idempotency.ttlSeconds).utf8),
            Array((item.parkUntil.map(String.init) ?? "").utf8),
        ]
        for (field, value) in item.record.hashFields() { args += [Array(field.utf8), Array(value.utf8)] }
        return (
            [
                RedisKeys.queue(item.queue, priority: item.priority), RedisKeys.task(item.record.id), RedisKeys.bindingSet,
                RedisKeys.permanentBindingSet, RedisKeys.idempotency(idempotency.key), RedisKeys.scheduled,
            ], args
        )
    }

    /// What the `enqueueOnce` script's reply means.
    static func enqueueOnceOutcome(_ reply: RESPValue, parked: Bool) -> PublishOutcome {
        let parts = reply.array ?? []
        switch (parts.first?.integer, parts.count > 1 ? parts[1] : nil) {
        case (1, let id?): return .duplicate(taskID: id.string ?? "")
        case (2, let id?): return .conflict(taskID: id.string ?? "")
        case (_, let length): return parked ? .parked : .published(queueLength: Int(length?.integer ?? 0))
        }
    }
}
