// Celeriac — a Celery-compatible job service in Swift.

/// Every Redis key name Celeriac reads or writes. No key literal appears anywhere else
/// (asynq's `base` habit), so the layout is documented in one place: `docs/wire-format.md`.
public enum RedisKeys {
    /// kombu's separator between a queue name and its priority step.
    public static let prioritySeparator = "\u{06}\u{16}"
    /// kombu's default priority steps; on Redis the lowest step is served first.
    public static let prioritySteps = [0, 3, 6, 9]

    /// The list for `queue` at `priority` (0–9): kombu maps to the largest step ≤ priority;
    /// step 0 is the bare queue name.
    public static func queue(_ name: String, priority: Int = 0) -> String {
        let step = priorityStep(priority)
        return step == 0 ? name : name + prioritySeparator + String(step)
    }

    /// The queue a list key belongs to: the key without kombu's priority suffix (what kombu
    /// rotates its queue cycle by, `dest.rsplit(sep, 1)[0]`).
    public static func queueName(ofKey key: String) -> String {
        let bytes = Array(key.utf8)
        var index = bytes.count - 2
        while index >= 0 {
            if bytes[index] == 0x06 && bytes[index + 1] == 0x16 { return String(decoding: bytes[..<index], as: UTF8.self) }
            index -= 1
        }
        return key
    }

    public static func priorityStep(_ priority: Int) -> Int {
        prioritySteps.last { $0 <= max(0, min(priority, 9)) } ?? 0
    }

    /// Every list of `queues` in the order a kombu worker polls them: by priority step, then
    /// by queue.
    public static func pollOrder(_ queues: [String]) -> [String] {
        prioritySteps.flatMap { step in queues.map { queue($0, priority: step) } }
    }

    /// kombu's binding set for the default direct exchange `celery`.
    public static let bindingSet = "_kombu.binding.celery"
    /// kombu 5.7's permanent binding set.
    public static let permanentBindingSet = "_kombu.binding_permanent.celery"
    /// Member of the binding sets for a queue: `<routing_key>\x06\x16<pattern>\x06\x16<queue>`.
    public static func bindingMember(_ queue: String) -> String {
        queue + prioritySeparator + prioritySeparator + queue
    }

    /// Celery's result key; also the PUBLISH channel of the same name.
    public static func resultMeta(_ taskID: String) -> String { "celery-task-meta-" + taskID }
    /// Our record of a task (hash): name, args, queue, state, times, worker.
    public static func task(_ taskID: String) -> String { taskPrefix + taskID }
    public static let taskPrefix = "celeriac:task:"
    /// Fencing-token counter: every lease gets the next number.
    public static let fence = "celeriac:fence"
    /// Beat's leader lease (string `<fence>:<name>:<random>`, with a TTL).
    public static let beatLeader = "celeriac:beat:leader"
    /// Beat's term counter: every new leader gets the next number.
    public static let beatFence = "celeriac:beat:fence"
    /// One beat fire's dedup key (value: its task id), kept a while after the tick.
    public static func beatFired(periodicTask: Int, tickMillis: Int64) -> String {
        "celeriac:beat:fired:\(periodicTask):\(tickMillis)"
    }
    /// Lease expiry times (ZSET: token → expiry, Unix ms by Redis's clock).
    public static let leases = "celeriac:leases"
    /// What one lease holds (hash: queue, worker, task).
    public static let leasePrefix = "celeriac:lease:"
    public static func lease(_ token: String) -> String { leasePrefix + token }
    /// The leased message itself (a one-element list): `LMOVE`d out of its queue and back, so
    /// the message's bytes are never copied (nor written to the AOF) again.
    public static let leaseMessagePrefix = "celeriac:lease-message:"
    public static func leaseMessage(_ token: String) -> String { leaseMessagePrefix + token }
    /// The worker's claim: tokens of the leases it holds (set).
    public static let workerLeasesPrefix = "celeriac:worker-leases:"
    public static func workerLeases(_ worker: String) -> String { workerLeasesPrefix + worker }
    /// Live workers (ZSET: name → last heartbeat, Unix ms by Redis's clock).
    public static let workers = "celeriac:workers"
    /// Task names our workers know (HASH: name → its ``JobSpec`` JSON), announced by each
    /// worker at start; kept (a queue may be filled while no worker runs).
    public static let registry = "celeriac:registry"
    /// Task names live Celery workers answered to the `registered` inquiry (HASH: name →
    /// the worker that answered).
    public static let registryCelery = "celeriac:registry:celery"
    /// When each registered name was last announced (ZSET: name → Unix ms), in heartbeats.
    public static let registrySeen = "celeriac:registry:seen"
    /// `Idempotency-Key` of `POST /tasks` → task id and body digest, kept 24 h.
    public static func idempotency(_ key: String) -> String { "celeriac:idempotency:" + key }
    /// What a job noted for its task across attempts (hash: entry → value; a broadcast's
    /// recipients and their fate, a load's cursor), kept 7 days after the last write.
    public static func taskLedger(_ taskID: String) -> String { "celeriac:ledger:" + taskID }
    /// Messages no worker could read, with the reason (a list of JSON entries).
    public static let deadLetters = "celeriac:dead"
    /// Tasks waiting for their ETA (ZSET: member → due time, Unix ms), moved to their queue
    /// when due. A member is ``scheduledMember(queueKey:envelope:)``.
    public static let scheduled = "celeriac:scheduled"
    /// History entries waiting for PostgreSQL (stream; field `e`: one entry's JSON), added by
    /// the report script in the step that applies a report and deleted once written.
    public static let historyOutbox = "celeriac:history-outbox"
    /// Which API process writes history now (string: its owner token, with a TTL).
    public static let historyWriter = "celeriac:history-writer"
    /// Revoked task ids (ZSET: id → until when the revoke holds, Unix ms). Every worker keeps
    /// a copy in memory, loaded at start and kept current through ``celeryPidbox(database:)``.
    public static let revoked = "celeriac:revoked"
    /// The channel Celery's remote control (`app.control.revoke`, `AsyncResult.revoke`)
    /// publishes on, and our API's revokes too: kombu's fanout prefix `/<db>.` and the
    /// exchange `celery.pidbox`.
    public static func celeryPidbox(database: Int) -> String { "/\(database).celery.pidbox" }
    /// `<queue list key>\n<envelope>`: list keys never hold a newline (queue names are
    /// checked) and JSON envelopes never do (it is escaped), so the first one splits them.
    public static func scheduledMember(queueKey: String, envelope: [UInt8]) -> [UInt8] {
        Array(queueKey.utf8) + [0x0A] + envelope
    }
}
