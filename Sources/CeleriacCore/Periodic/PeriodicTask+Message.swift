// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

extension PeriodicTask {
    /// What a send of this task carries.
    public struct Message: Sendable, Equatable {
        public var args: [JSONValue]
        public var kwargs: [String: JSONValue]
        public var options: TaskOptions
    }

    /// The message beat sends for this task, with the options django-celery-beat's
    /// `ModelEntry` gives Celery: the queue (else the routing key's queue, as kombu's direct
    /// exchange routes it on Redis, else `celery`), the priority, `expires` (the task's own,
    /// else `expire_seconds` after `sentAt`), the stored headers and `periodic_task_name`.
    /// - Throws: ``DomainError`` when a stored field cannot be sent (args that are not a
    ///   JSON list, a queue name Redis cannot hold).
    public func message(sentAt: Date) throws(DomainError) -> Message {
        let (args, kwargs) = try arguments()
        let queue = self.queue ?? self.routingKey ?? TaskOptions.defaultQueue
        if let problem = Names.checkQueueName(queue) {
            throw DomainError(.invalid, operation: "beat", "task \(self.name): queue \(queue.prefix(64)): \(problem)")
        }
        var headers: [String: JSONValue] = [:]
        if case .object(let stored)? = try? JSONValue.parse(Array(self.headers.utf8)) {
            headers = stored.filter { !TaskOptions.reservedHeaderNames.contains($0.key) }
        }
        headers["periodic_task_name"] = .string(self.name)
        let expires = self.expires ?? self.expireSeconds.map { sentAt.addingTimeInterval(TimeInterval($0)) }
        let options = TaskOptions(
            queue: queue, priority: min(max(self.priority ?? 0, 0), 9), expires: expires, headers: headers)
        return Message(args: args, kwargs: kwargs, options: options)
    }

    /// The stored `args` and `kwargs`, read as JSON.
    public func arguments() throws(DomainError) -> (args: [JSONValue], kwargs: [String: JSONValue]) {
        guard case .array(let args)? = try? JSONValue.parse(Array(self.args.utf8)),
            case .object(let kwargs)? = try? JSONValue.parse(Array(self.kwargs.utf8))
        else {
            throw DomainError(.invalid, operation: "periodic-tasks", "task \(self.name): args or kwargs are not JSON")
        }
        return (args, kwargs)
    }
}
