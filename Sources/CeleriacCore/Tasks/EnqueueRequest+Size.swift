// Celeriac — a Celery-compatible job service in Swift.

extension EnqueueRequest {
    /// Bytes `args` and `kwargs` take as compact JSON, together.
    public var argumentsByteCount: Int {
        var writer = JSONWriter()
        writer.write(.array(args))
        writer.write(.object(kwargs))
        return writer.output.utf8.count
    }

    /// - Throws: ``DomainError`` `tooLarge` naming `/args` and `/kwargs` when they take more
    ///   than `limit` bytes: a message that large belongs in storage the task reads, not on the queue.
    public func checkArgumentsSize(limit: Int) throws(DomainError) {
        let size = argumentsByteCount
        guard size > limit else { return }
        let detail = "args and kwargs take \(size) bytes as JSON; the limit is \(limit)"
        throw DomainError(
            .tooLarge, operation: "enqueue", detail,
            fields: [DomainError.FieldError(pointer: "/args", detail: detail), DomainError.FieldError(pointer: "/kwargs", detail: detail)],
            reason: "arguments-too-large")
    }
}
