// Celeriac — a Celery-compatible job service in Swift.

import CeleriacPostgres

/// History entries waiting to be written, oldest first. An entry goes out once it has waited
/// the coalescing window, and every later entry of the same task goes with it (merged into
/// one row change): a task that starts and finishes within the window costs PostgreSQL one
/// upsert instead of one per state, which halves the database's work in steady operation.
struct HistoryBuffer {
    typealias Instant = ContinuousClock.Instant
    private(set) var items: [(at: Instant, entry: HistoryEntry)] = []
    /// Most entries held (PostgreSQL away for long); beyond it the oldest are dropped.
    let capacity: Int
    /// Entries dropped for lack of room since the start.
    private(set) var dropped = 0

    init(capacity: Int) { self.capacity = capacity }

    var count: Int { items.count }
    /// When the oldest entry was added.
    var oldest: Instant? { items.first?.at }

    /// Adds an entry. Returns true when the buffer was empty (the writer may be asleep).
    @discardableResult
    mutating func append(_ entry: HistoryEntry, at instant: Instant) -> Bool {
        let wasEmpty = items.isEmpty
        items.append((instant, entry))
        if items.count > capacity {
            let excess = items.count - capacity
            items.removeFirst(excess)
            dropped += excess
        }
        return wasEmpty
    }

    /// Removes and returns up to `limit` entries that have waited `window` at `now`, each
    /// followed in order by the later entries of the same task.
    mutating func takeDue(now: Instant, window: Duration, limit: Int) -> [(at: Instant, entry: HistoryEntry)] {
        var due = 0
        while due < items.count && due < limit && now - items[due].at >= window { due += 1 }
        guard due > 0 else { return [] }
        let tasks = Set(items[..<due].map(\.entry.taskID))
        var taken = Array(items[..<due])
        guard items[due...].contains(where: { tasks.contains($0.entry.taskID) }) else {
            items.removeFirst(due)  // nothing later to take along: no rebuild of the rest
            return taken
        }
        var rest: [(at: Instant, entry: HistoryEntry)] = []
        rest.reserveCapacity(items.count - due)
        for item in items[due...] {
            if tasks.contains(item.entry.taskID) { taken.append(item) } else { rest.append(item) }
        }
        items = rest
        return taken
    }

    /// Puts entries taken but not written back in front, oldest first (the write failed).
    mutating func putBack(_ taken: [(at: Instant, entry: HistoryEntry)]) {
        items = (taken + items).sorted { $0.at < $1.at }
        if items.count > capacity {
            let excess = items.count - capacity
            items.removeFirst(excess)
            dropped += excess
        }
    }
}
