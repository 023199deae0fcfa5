// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A binary min-heap of (fire time, periodic task id): the next fire is at the top, so a
/// tick costs O(log n) per fire and nothing per waiting schedule. Entries are never removed
/// from the middle; a stale one (its task changed or left) is skipped when it comes up.
public struct FireHeap: Sendable {
    public struct Item: Sendable, Equatable {
        public var at: Date
        public var taskID: Int
        /// The plan's version of the task when this item was pushed; an item of an older
        /// version is stale.
        public var version: Int
    }

    private var items: [Item] = []

    public init() {}

    public var count: Int { items.count }
    public var first: Item? { items.first }

    public mutating func push(_ item: Item) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(items[child], items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    @discardableResult
    public mutating func popFirst() -> Item? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < items.count, Self.before(items[left], items[smallest]) { smallest = left }
            if right < items.count, Self.before(items[right], items[smallest]) { smallest = right }
            if smallest == parent { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }

    public mutating func removeAll() { items.removeAll(keepingCapacity: true) }

    /// Earlier first; ties by task id, so the order of one instant's fires is stable.
    private static func before(_ a: Item, _ b: Item) -> Bool {
        a.at < b.at || (a.at == b.at && a.taskID < b.taskID)
    }
}
