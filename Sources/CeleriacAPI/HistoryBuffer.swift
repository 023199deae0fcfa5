// Celeriac — a Celery-compatible job service in Swift.

import CeleriacPostgres

/// History entries waiting to be written, one per task, oldest first. A later state of a
/// task already waiting is merged into its entry on arrival, and an entry goes out once its
/// first state has waited the coalescing window: a task that starts and finishes within the
/// window costs PostgreSQL one upsert instead of one per state. Appending and taking are
/// O(1) per entry (an index by task id; no scan of what is still waiting). Each item keeps
/// the outbox ids of the entries merged into it, deleted from Redis once it is written.
struct HistoryBuffer {
    typealias Instant = ContinuousClock.Instant
    typealias Item = (at: Instant, entry: HistoryEntry, ids: [String])
    /// Live items are `slots[head...]`; taken or dropped ones before `head` are nil.
    private var slots: [Item?] = []
    private var head = 0
    /// Sequence number of `slots[0]`: positions in `index` survive compaction.
    private var base = 0
    /// Task id → sequence number of its waiting entry.
    private var index: [String: Int] = [:]
    /// Most entries held (PostgreSQL away for long); beyond it the oldest are dropped. The
    /// writer reads no more from the outbox than fits, so only entries that are not in the
    /// outbox (PENDING rows of `CELERIAC_HISTORY_PENDING`) can be.
    let capacity: Int
    /// Entries dropped for lack of room since the start.
    private(set) var dropped = 0

    init(capacity: Int) { self.capacity = capacity }

    /// Tasks waiting to be written.
    var count: Int { slots.count - head }
    /// When the oldest waiting entry was added.
    var oldest: Instant? { head < slots.count ? slots[head]?.at : nil }
    /// The waiting entries, oldest first.
    var items: [Item] { slots[head...].compactMap { $0 } }

    /// Adds an entry, merged into its task's waiting entry if there is one. Returns true
    /// when the buffer was empty (the writer may be asleep).
    @discardableResult
    mutating func append(_ entry: HistoryEntry, at instant: Instant, ids: [String] = []) -> Bool {
        let wasEmpty = count == 0
        if let sequence = index[entry.taskID], let waiting = slots[sequence - base] {
            slots[sequence - base] = (waiting.at, waiting.entry.merged(with: entry), waiting.ids + ids)
            return wasEmpty
        }
        index[entry.taskID] = base + slots.count
        slots.append((instant, entry, ids))
        while count > capacity {
            _ = removeOldest()
            dropped += 1
        }
        compact()
        return wasEmpty
    }

    /// Removes and returns up to `limit` entries whose first state has waited `window` at
    /// `now`, each holding every state of its task received so far.
    mutating func takeDue(now: Instant, window: Duration, limit: Int) -> [Item] {
        var taken: [Item] = []
        while taken.count < limit, let first = oldest, now - first >= window, let item = removeOldest() {
            taken.append(item)
        }
        compact()
        return taken
    }

    /// Puts entries taken but not written back, oldest first (the write failed). A state
    /// that arrived meanwhile is merged after the one put back.
    mutating func putBack(_ taken: [Item]) {
        let waiting = items
        slots = []
        head = 0
        base = 0
        index = [:]
        for item in (taken + waiting).sorted(by: { $0.at < $1.at }) { append(item.entry, at: item.at, ids: item.ids) }
    }

    private mutating func removeOldest() -> Item? {
        guard head < slots.count, let item = slots[head] else { return nil }
        slots[head] = nil
        head += 1
        index[item.entry.taskID] = nil
        return item
    }

    /// Drops the taken slots once they are half the array, so it does not grow forever.
    private mutating func compact() {
        guard head > 0, head * 2 >= slots.count else { return }
        slots.removeFirst(head)
        base += head
        head = 0
    }
}
