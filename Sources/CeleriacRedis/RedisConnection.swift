// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
import CeleriacSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One Redis connection on its own thread, with automatic pipelining: commands issued
/// concurrently by many tasks are written together and their replies read back in one
/// round trip.
///
/// Reconnects on the next command after a failure, with exponential backoff
/// (``Backoff/reconnect``: 50 ms doubling to 2 s); while backing off, commands fail at once
/// with ``RedisError/unavailable(_:)`` rather than queueing behind a dead server.
public final class RedisConnection: @unchecked Sendable {
    // Safe to share: `pending`, `drainScheduled` are guarded by `lock`; `context`, `failures`
    // and `retryAt` are touched only on `thread`.
    private struct Request {
        let command: RESPCommand
        let completion: Completion

        func complete(_ result: Result<RESPValue, any Error>) {
            switch completion {
            case .reply(let continuation): continuation.resume(with: result)
            case .part(let collector, let index): collector.complete(index, result)
            }
        }
    }

    private enum Completion {
        case reply(CheckedContinuation<RESPValue, any Error>)
        /// One command of a ``send(pipeline:)``.
        case part(PipelineCollector, Int)
    }

    public let url: RedisURL
    private let timeout: Duration
    private let thread: BlockingThread
    private let lock = PThreadMutex()
    private var pending: [Request] = []
    private var drainScheduled = false
    private var context: HiredisContext?
    private var failures = 0
    private var retryAt = ContinuousClock.now

    /// Most commands written in one batch.
    static let maxBatch = 1024

    /// Creates the connection; it connects lazily on the first command.
    /// - Parameters:
    ///   - timeout: bounds connect and every read/write; a blocking command's own wait must
    ///     be shorter than this.
    public init(url: RedisURL, name: String, timeout: Duration = .seconds(5)) {
        self.url = url
        self.timeout = timeout
        self.thread = BlockingThread(name: name)
    }

    deinit { thread.stop() }

    /// Sends one command and waits for its reply. `-ERR` replies come back as
    /// ``RESPValue/error(_:)``; connection problems throw ``RedisError``.
    public func send(_ args: [[UInt8]]) async throws -> RESPValue {
        try await send(RESPCommand(args))
    }

    /// ``send(_:)`` for a command already in wire form.
    public func send(_ command: RESPCommand) async throws -> RESPValue {
        try await withCheckedThrowingContinuation { continuation in
            enqueue([Request(command: command, completion: .reply(continuation))])
        }
    }

    /// Sends `commands` back to back and returns their replies in order. Redis runs them one
    /// after another on its side, so a command behind a blocking one (`BLMOVE`) runs the
    /// moment that one returns, without a round trip to us in between.
    public func send(pipeline commands: [[[UInt8]]]) async throws -> [RESPValue] {
        try await send(pipeline: commands.map(RESPCommand.init))
    }

    /// ``send(pipeline:)`` for commands already in wire form.
    public func send(pipeline commands: [RESPCommand]) async throws -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        return try await withCheckedThrowingContinuation { continuation in
            let collector = PipelineCollector(count: commands.count, continuation: continuation)
            enqueue(commands.enumerated().map { index, command in Request(command: command, completion: .part(collector, index)) })
        }
    }

    private func enqueue(_ requests: [Request]) {
        lock.lock()
        pending.append(contentsOf: requests)
        let schedule = !drainScheduled
        drainScheduled = true
        lock.unlock()
        if schedule { thread.submit { self.drain() } }
    }

    /// Runs on `thread`: writes every waiting command, then reads their replies in order.
    private func drain() {
        while true {
            lock.lock()
            if pending.isEmpty {
                drainScheduled = false
                lock.unlock()
                return
            }
            let count = min(pending.count, Self.maxBatch)
            let batch = Array(pending.prefix(count))
            pending.removeFirst(count)
            lock.unlock()
            execute(batch)
        }
    }

    private func execute(_ batch: [Request]) {
        let context: HiredisContext
        do {
            context = try connected()
        } catch {
            for request in batch { request.complete(.failure(error)) }
            return
        }
        var written = 0
        do {
            for request in batch {
                try context.append(request.command)
                written += 1
            }
            for (index, request) in batch.enumerated() {
                do {
                    // A transaction's replies before its last (OK, QUEUED) are read past.
                    var reply = try context.readReply(operation: request.command.operation)
                    for _ in 1..<request.command.replies { reply = try context.readReply(operation: request.command.operation) }
                    request.complete(.success(reply))
                } catch {
                    // The stream is broken: this and every later reply in the batch are lost.
                    for rest in batch[index...] { rest.complete(.failure(error)) }
                    dropConnection()
                    return
                }
            }
        } catch {
            for request in batch { request.complete(.failure(error)) }
            dropConnection()
        }
    }

    private func dropConnection() {
        context?.close()
        context = nil
        failures += 1
        retryAt = .now
    }

    /// The live context, connecting (AUTH, SELECT) when there is none.
    private func connected() throws(RedisError) -> HiredisContext {
        if let context { return context }
        let now = ContinuousClock.now
        if failures > 0 && now < retryAt {
            throw .unavailable("reconnecting to \(url.host):\(url.port)")
        }
        do {
            let context = try HiredisContext.open(url, timeout: timeout)
            self.context = context
            failures = 0
            return context
        } catch {
            failures += 1
            retryAt = now + Backoff.reconnect.delay(afterFailures: failures)
            throw error
        }
    }
}

/// Gathers the replies of one pipeline; resumes its caller with all of them, or with the
/// first failure. Touched only on the connection's thread.
private final class PipelineCollector: @unchecked Sendable {
    private var replies: [RESPValue]
    private var remaining: Int
    private var continuation: CheckedContinuation<[RESPValue], any Error>?

    init(count: Int, continuation: CheckedContinuation<[RESPValue], any Error>) {
        replies = Array(repeating: .null, count: count)
        remaining = count
        self.continuation = continuation
    }

    func complete(_ index: Int, _ result: Result<RESPValue, any Error>) {
        guard let continuation else { return }  // an earlier part failed: already resumed
        switch result {
        case .success(let reply):
            replies[index] = reply
            remaining -= 1
            if remaining == 0 {
                self.continuation = nil
                continuation.resume(returning: replies)
            }
        case .failure(let error):
            self.continuation = nil
            continuation.resume(throwing: error)
        }
    }
}
