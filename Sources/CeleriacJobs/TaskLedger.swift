// Celeriac — a Celery-compatible job service in Swift.

import CeleriacSystem

/// What a job notes for its task so a later attempt (a retry, or a run after its worker died)
/// knows what the earlier ones did: a broadcast's recipients and their fate, a load's cursor.
/// Entries are strings; the worker keeps them in Redis per task id (7 days after the last
/// write). Writes are durable once `write` returns.
public struct TaskLedger: Sendable {
    private let readEntries: @Sendable () async throws -> [String: String]
    private let writeEntries: @Sendable ([String: String?]) async throws -> Void

    public init(
        read: @escaping @Sendable () async throws -> [String: String],
        write: @escaping @Sendable ([String: String?]) async throws -> Void
    ) {
        readEntries = read
        writeEntries = write
    }

    /// Every entry noted so far for this task.
    public func read() async throws -> [String: String] { try await readEntries() }

    /// Sets each entry to its value, or removes it for nil, in one step.
    public func write(_ entries: [String: String?]) async throws {
        guard !entries.isEmpty else { return }
        try await writeEntries(entries)
    }

    /// A ledger in this process's memory only: for runs outside a worker (tests).
    public static func inMemory() -> TaskLedger {
        let entries = Locked<[String: String]>([:])
        return TaskLedger(
            read: { entries.withLock { $0 } },
            write: { changes in
                entries.withLock { current in
                    for (key, value) in changes { current[key] = value }
                }
            })
    }
}
