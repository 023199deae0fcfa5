// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
import CeleriacSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One pub/sub connection shared by a whole process, on its own thread: channels are added
/// and removed while it runs (a waiter's `SUBSCRIBE` goes out at once, through a wake-up
/// pipe), so thousands of waiters cost one connection and no polling.
///
/// After a reconnect every channel is subscribed again and reported as ``Event/subscribed(_:)``
/// once more: a message published while the connection was down is lost, so a listener
/// re-reads what it watches on that event.
public final class RedisSubscriber: @unchecked Sendable {
    // Safe to share: `state` is guarded by its lock; `context` is touched only on `thread`;
    // the pipe's descriptors never change after init.
    public enum Event: Sendable {
        /// The server confirmed the subscription (also after each reconnect).
        case subscribed(String)
        /// A message on a channel (or on a pattern's channel).
        case message(channel: String, payload: [UInt8])
    }

    private struct State {
        /// Channel → how many want it.
        var wanted: [String: Int] = [:]
        /// What the server has been asked for on the current connection.
        var sent: Set<String> = []
        var stopping = false
    }

    private let url: RedisURL
    /// Also the connection's `CLIENT SETNAME`, so `CLIENT LIST` shows what it is.
    private let name: String
    private let patterns: [String]
    private let handler = Locked<(@Sendable (Event) -> Void)?>(nil)
    private let state = Locked(State())
    private let thread: BlockingThread
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private var context: HiredisContext?

    /// - Parameters:
    ///   - channels: subscribed for the subscriber's whole life.
    ///   - patterns: `PSUBSCRIBE`d for its whole life.
    public init(url: RedisURL, name: String, channels: [String] = [], patterns: [String] = []) {
        self.url = url
        self.name = name
        self.patterns = patterns
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0, "pipe failed: \(errno)")
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        wakeRead = fds[0]
        wakeWrite = fds[1]
        thread = BlockingThread(name: name)
        state.withLock { state in for channel in channels { state.wanted[channel, default: 0] += 1 } }
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// Starts listening (connecting, and reconnecting with backoff, on its thread).
    /// - Parameter handler: called on the subscriber's thread for each event; keep it short.
    public func start(_ handler: @escaping @Sendable (Event) -> Void) {
        self.handler.withLock { $0 = handler }
        thread.submit { self.loop() }
    }

    /// Ends the connection and the thread (at once if it never started).
    public func stop() {
        state.withLock { $0.stopping = true }
        wake()
        thread.stop()
    }

    /// Adds one interest in `channel`; the first one subscribes it.
    public func subscribe(_ channel: String) {
        let first = state.withLock { state in
            state.wanted[channel, default: 0] += 1
            return state.wanted[channel] == 1
        }
        if first { wake() }
    }

    /// Drops one interest in `channel`; the last one unsubscribes it.
    public func unsubscribe(_ channel: String) {
        let last = state.withLock { state in
            guard let count = state.wanted[channel] else { return false }
            state.wanted[channel] = count > 1 ? count - 1 : nil
            return count == 1
        }
        if last { wake() }
    }

    /// Channels with at least one interest.
    public var channelCount: Int { state.withLock { $0.wanted.count } }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private func loop() {
        var failures = 0
        while !state.withLock({ $0.stopping }) {
            do {
                try listen()
                failures = 0
            } catch {
                context?.close()
                context = nil
                failures += 1
                let delay = Backoff.reconnect.delay(afterFailures: failures)
                var pollFD = pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)
                _ = poll(&pollFD, 1, Int32(delay.wholeMilliseconds))
                drainWakePipe()
            }
        }
        context?.close()
        context = nil
    }

    /// Connects, subscribes, and relays messages until stopped (returns) or the connection
    /// fails (throws).
    private func listen() throws(RedisError) {
        let context = try HiredisContext.open(url, timeout: .seconds(5))
        self.context = context
        state.withLock { $0.sent = [] }
        // Names may hold no spaces; a server that refuses the name still serves the channels.
        try context.append(RESPCommand([Array("CLIENT".utf8), Array("SETNAME".utf8), Array(name.replacing(" ", with: "_").utf8)]))
        try context.flush()
        _ = try context.readReply(operation: "CLIENT SETNAME")
        if !patterns.isEmpty {
            try context.append(RESPCommand([Array("PSUBSCRIBE".utf8)] + patterns.map { Array($0.utf8) }))
        }
        while true {
            if state.withLock({ $0.stopping }) { return }
            try sendChanges(context)
            while let reply = try context.bufferedReply() { relay(reply) }
            var fds = [
                pollfd(fd: context.fileDescriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
            ]
            // The timeout only bounds how long a lost wake-up could delay a change.
            let ready = poll(&fds, 2, 1000)
            if ready < 0 && errno != EINTR { throw .io(operation: "poll", message: "errno \(errno)") }
            if fds[1].revents != 0 { drainWakePipe() }
            if fds[0].revents != 0 { try context.readAvailable() }
        }
    }

    /// Sends SUBSCRIBE / UNSUBSCRIBE for what changed since the last call.
    private func sendChanges(_ context: HiredisContext) throws(RedisError) {
        let (add, remove) = state.withLock { state -> ([String], [String]) in
            let wanted = Set(state.wanted.keys)
            let add = wanted.subtracting(state.sent).sorted()
            let remove = state.sent.subtracting(wanted).sorted()
            state.sent = wanted
            return (add, remove)
        }
        guard !add.isEmpty || !remove.isEmpty else { return }
        // In slices: one command per thousand channels keeps each one small.
        for slice in stride(from: 0, to: add.count, by: 1000) {
            try context.append(RESPCommand([Array("SUBSCRIBE".utf8)] + add[slice..<min(slice + 1000, add.count)].map { Array($0.utf8) }))
        }
        for slice in stride(from: 0, to: remove.count, by: 1000) {
            try context.append(RESPCommand([Array("UNSUBSCRIBE".utf8)] + remove[slice..<min(slice + 1000, remove.count)].map { Array($0.utf8) }))
        }
        try context.flush()
    }

    private func relay(_ reply: RESPValue) {
        guard let parts = reply.array, let kind = parts.first?.string, let handler = handler.withLock({ $0 }) else { return }
        switch kind {
        case "message" where parts.count == 3:
            if let channel = parts[1].string, let payload = parts[2].bytes { handler(.message(channel: channel, payload: payload)) }
        case "pmessage" where parts.count == 4:
            if let channel = parts[2].string, let payload = parts[3].bytes { handler(.message(channel: channel, payload: payload)) }
        case "subscribe", "psubscribe":
            if parts.count >= 2, let channel = parts[1].string { handler(.subscribed(channel)) }
        default:
            break
        }
    }

    private func drainWakePipe() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }
}
