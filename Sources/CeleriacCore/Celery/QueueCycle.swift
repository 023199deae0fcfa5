// Celeriac — a Celery-compatible job service in Swift.

/// The order a worker consumes several queues in (`-Q a,b`), as kombu's Redis transport does
/// by default (`queue_order_strategy = 'round_robin'`, kombu/utils/scheduling.py): every
/// fetch polls the lists by priority step first, then by queue in the cycle's order
/// (``RedisKeys/pollOrder(_:)``), and the queue a message came from then moves to the end of
/// the cycle (`round_robin_cycle.rotate`). So a priority-0 message of any queue is served
/// before a priority-3 one of any other, and backed-up queues at the same step take turns
/// message by message.
public struct QueueCycle: Sendable, Equatable {
    /// Queue names, next to be preferred first.
    public private(set) var order: [String]

    /// Starts in the order the queues were given (kombu's `_update_queue_cycle`).
    public init(_ queues: [String]) { order = queues }

    /// The lists to poll, in order.
    public var pollOrder: [String] { RedisKeys.pollOrder(order) }

    /// After a message from the list `key`: its queue moves to the end.
    public mutating func rotate(afterKey key: String) {
        let name = RedisKeys.queueName(ofKey: key)
        guard let index = order.firstIndex(of: name) else { return }
        order.append(order.remove(at: index))
    }
}
