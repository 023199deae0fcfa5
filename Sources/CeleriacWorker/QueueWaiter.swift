// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacRedis
import CeleriacSystem

/// Sleeps until one of the queue lists has a message and claims it in the same round trip.
///
/// The first list in poll order (the first queue's default priority, where most messages
/// land) is waited on by the worker's own call: `BLMOVE key key RIGHT RIGHT` (a no-op move
/// that waits, leaving the message in Redis) with the claim script pipelined behind it, so
/// Redis claims the moment a message arrives. Every other list has its own connection
/// blocked the same way without a claim; when one of them sees a message it unblocks the
/// first wait (`CLIENT UNBLOCK`), whose claim then takes it. Nothing else claims while the
/// worker waits, so the claim's limit (its free slots) holds.
final class QueueWaiter: Sendable {
    private let first: (key: String, client: RedisClient)
    private let others: [(key: String, client: RedisClient)]
    private struct State {
        /// The worker's wait is issued (or about to be): others must unblock it.
        var blocking = false
        /// Another list had a message while the worker was not waiting: skip the next wait.
        var wakePending = false
        /// The first connection's `CLIENT ID`, the handle for `CLIENT UNBLOCK`.
        var clientID: Int?
        /// The server refused `CLIENT ID`: no early wake-ups from other lists.
        var unblockRefused = false
        /// Indexes of the other lists whose connection is blocked on them.
        var watching: Set<Int> = []
    }
    private let state = Locked(State())
    /// Longest single wait; also how quickly shutdown is noticed while idle.
    static let blockSeconds = 1.0

    /// - Parameter keys: the lists in poll order (at least one).
    init(keys: [String], redisURL: RedisURL) {
        let clients = keys.enumerated().map { index, key in
            (key, RedisClient(url: redisURL, name: "redis-wait-\(index)", timeout: .seconds(Self.blockSeconds + 5)))
        }
        first = clients[0]
        others = Array(clients.dropFirst())
    }

    /// Waits up to about ``blockSeconds`` for a message on any list, then claims up to
    /// `limit` messages from `queueKeys` (see ``Broker/claim(worker:queueKeys:queueCount:limit:leaseMilliseconds:)``).
    func waitThenClaim(
        broker: Broker, worker: String, queueKeys: [String], queueCount: Int = 1, limit: Int, leaseMilliseconds: Int
    ) async throws -> [Lease] {
        do {
            if state.withLock({ $0.clientID == nil && !$0.unblockRefused }) {
                do {
                    guard let id = try await first.client.command("CLIENT", "ID").integer else {
                        throw RedisError.unexpectedReply(operation: "CLIENT ID", reply: "not an integer")
                    }
                    state.withLock { $0.clientID = Int(id) }
                } catch RedisError.server {
                    // CLIENT renamed or forbidden (some managed Redis services): other lists
                    // then wake the worker only when its wait times out.
                    state.withLock { $0.unblockRefused = true }
                }
            }
            let (block, unwatched) = state.withLock { state -> (Bool, [Int]) in
                if state.wakePending {
                    state.wakePending = false
                    return (false, [])
                }
                state.blocking = true
                let unwatched = others.indices.filter { !state.watching.contains($0) }
                state.watching.formUnion(unwatched)
                return (true, unwatched)
            }
            for index in unwatched { watch(index) }
            guard block else {
                return try await broker.claim(
                    worker: worker, queueKeys: queueKeys, queueCount: queueCount, limit: limit, leaseMilliseconds: leaseMilliseconds)
            }
            defer { state.withLock { $0.blocking = false } }
            return try await broker.waitThenClaim(
                on: first.client, key: first.key, seconds: Self.blockSeconds, worker: worker, queueKeys: queueKeys,
                queueCount: queueCount, limit: limit, leaseMilliseconds: leaseMilliseconds)
        } catch {
            state.withLock { $0.clientID = nil }  // a reconnected connection has a new id
            throw error
        }
    }

    /// Keeps a connection blocked on another list while the worker waits; wakes the worker
    /// when that list has a message.
    private func watch(_ index: Int) {
        let other = others[index]
        Task {
            while true {
                var woke = false
                do {
                    woke = try await Broker.waitForMessage(on: other.client, key: other.key, seconds: Self.blockSeconds)
                } catch {
                    try? await Task.sleep(for: .milliseconds(200))  // Redis down: do not spin
                }
                // Decided under the lock the worker starts watchers under: a list is never
                // left unwatched while the worker blocks.
                let again = !woke && self.state.withLock { state in
                    if state.blocking { return true }
                    state.watching.remove(index)
                    return false
                }
                if again { continue }
                if woke {
                    self.state.withLock { _ = $0.watching.remove(index) }
                    await self.wakeWorker(using: other.client)
                }
                return
            }
        }
    }

    /// Ends the worker's wait early. Its `BLMOVE` may not have reached Redis yet (unblocking
    /// then answers 0): try again briefly; if the worker is not waiting, the next wait is skipped.
    private func wakeWorker(using client: RedisClient) async {
        for _ in 0..<50 {
            let target = state.withLock { state -> Int? in
                guard state.blocking, let id = state.clientID else {
                    state.wakePending = true
                    return nil
                }
                return id
            }
            guard let target else { return }
            if (try? await client.command("CLIENT", "UNBLOCK", String(target)))?.integer == 1 { return }
            try? await Task.sleep(for: .milliseconds(1))
        }
        state.withLock { $0.wakePending = true }
    }
}
