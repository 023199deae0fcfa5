// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
public import CeleriacSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The one way a new task gets onto a queue: draws its id, writes its Celery v2 envelope
/// (``TaskMessage/envelope(_:)``) and its record, and publishes both in one step. The API's
/// routes, beat and jobs that enqueue follow-up tasks all call it, so a message from any of
/// them means the same to a Celery worker.
public struct TaskPublisher: Sendable {
    /// One task to publish.
    public struct Request: Sendable {
        public var task: String
        public var args: [JSONValue]
        public var kwargs: [String: JSONValue]
        public var options: TaskOptions
        /// The task id; a fresh random one when nil. Beat passes one derived from the tick, so
        /// a fire published twice is the same task.
        public var id: String?
        /// Publish at most once per key (`Idempotency-Key`).
        public var idempotency: Broker.Idempotency?

        public init(
            task: String, args: [JSONValue] = [], kwargs: [String: JSONValue] = [:], options: TaskOptions = TaskOptions(),
            id: String? = nil, idempotency: Broker.Idempotency? = nil
        ) {
            self.task = task
            self.args = args
            self.kwargs = kwargs
            self.options = options
            self.id = id
            self.idempotency = idempotency
        }
    }

    /// What became of a request.
    public struct Published: Sendable {
        /// The task the request stands for: the new one, or the first one published with the
        /// same idempotency key.
        public var id: String
        public var outcome: Broker.PublishOutcome
        /// The record written (for a new task).
        public var record: TaskRecord
        /// The message's `argsrepr`/`kwargsrepr` headers, for a history row.
        public var argsrepr: String
        public var kwargsrepr: String
    }

    public let broker: Broker
    /// `gen<pid>@<host>`: Celery's `origin` header for this process's messages.
    public let origin: String
    /// This producer's constant `reply_to` (Celery's app `oid`).
    public let producerID: String
    public let clock: any WallClock
    /// Called after each new task is queued (the API writes its PENDING history row here
    /// when configured to).
    public let onPublished: (@Sendable (Published) -> Void)?

    public init(
        broker: Broker, origin: String = TaskPublisher.processOrigin, producerID: String = TaskID.random(),
        clock: any WallClock = SystemClock(), onPublished: (@Sendable (Published) -> Void)? = nil
    ) {
        self.broker = broker
        self.origin = origin
        self.producerID = producerID
        self.clock = clock
        self.onPublished = onPublished
    }

    /// Publishes one task.
    /// - Throws: ``RedisError`` when Redis is unreachable or refuses the push.
    public func publish(_ request: Request) async throws -> Published {
        let id = request.id ?? TaskID.random()
        let now = clock.now
        let (new, record) = prepare(request, id: id, now: now)
        // A task due later waits in `celeriac:scheduled`, not in its queue or a worker's memory,
        // and keeps its record until then, plus the usual time after.
        let due = request.options.eta.flatMap { $0 > now ? $0 : nil }
        let hold = due.map { Int(min($0.timeIntervalSince(now), 10 * 365 * 86_400).rounded(.up)) } ?? 0
        let outcome = try await broker.publish(
            envelope: TaskMessage.envelope(new), queue: request.options.queue, priority: request.options.priority,
            record: record, idempotency: request.idempotency, holdSeconds: hold, parkUntil: due.map(Broker.unixMillis))
        var published = Published(
            id: id, outcome: outcome, record: record, argsrepr: new.argsrepr, kwargsrepr: new.kwargsrepr)
        switch outcome {
        case .published, .parked: onPublished?(published)
        case .duplicate(let original), .conflict(let original): published.id = original
        }
        return published
    }

    /// Publishes many tasks in one round trip (``Broker/publishBatch(_:)``): results in the
    /// requests' order.
    /// - Throws: ``RedisError`` when Redis is unreachable or refuses the batch.
    public func publishBatch(_ requests: [Request]) async throws -> [Published] {
        let now = clock.now
        var prepared: [(id: String, new: TaskMessage.NewTask, record: TaskRecord)] = []
        var items: [Broker.BatchItem] = []
        prepared.reserveCapacity(requests.count)
        items.reserveCapacity(requests.count)
        for request in requests {
            let id = request.id ?? TaskID.random()
            let (new, record) = prepare(request, id: id, now: now)
            let due = request.options.eta.flatMap { $0 > now ? $0 : nil }
            prepared.append((id, new, record))
            items.append(Broker.BatchItem(
                envelope: TaskMessage.envelope(new), queue: request.options.queue, priority: request.options.priority,
                record: record, idempotency: request.idempotency,
                holdSeconds: due.map { Int(min($0.timeIntervalSince(now), 10 * 365 * 86_400).rounded(.up)) } ?? 0,
                parkUntil: due.map(Broker.unixMillis)))
        }
        let outcomes = try await broker.publishBatch(items)
        return zip(prepared, outcomes).map { prepared, outcome in
            var published = Published(
                id: prepared.id, outcome: outcome, record: prepared.record, argsrepr: prepared.new.argsrepr,
                kwargsrepr: prepared.new.kwargsrepr)
            switch outcome {
            case .published, .parked: onPublished?(published)
            case .duplicate(let original), .conflict(let original): published.id = original
            }
            return published
        }
    }

    /// The message and the record of a new task.
    func prepare(_ request: Request, id: String, now: Date) -> (new: TaskMessage.NewTask, record: TaskRecord) {
        let new = TaskMessage.NewTask(
            id: id, task: request.task, args: request.args, kwargs: request.kwargs, options: request.options,
            origin: origin, replyTo: producerID, deliveryTag: TaskID.random(), sentAt: now)
        let record = TaskRecord(
            id: id, task: request.task, state: .pending, args: request.args, kwargs: request.kwargs,
            queue: request.options.queue, createdAt: now, retries: request.options.retries)
        return (new, record)
    }

    /// `gen<pid>@<hostname>`, as Celery names a producer.
    public static var processOrigin: String {
        "gen\(ProcessInfo.processInfo.processIdentifier)@\(ProcessInfo.processInfo.hostName)"
    }
}
