// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// What beat's leader fires, and when: the enabled periodic tasks, each with its next tick,
/// in a ``FireHeap``. Pure: the caller passes `now`, so tests move time by hand.
///
/// Ticks lie on the schedule's grid (the next fire is computed from the last tick, not from
/// when it was sent), so a late send does not shift later ones. Ticks missed by less than
/// ``catchUpWindow`` (a failover, a pause) are each fired, late; older ones (beat was down)
/// are fired once, as Celery's beat does after downtime.
public struct BeatPlan: Sendable {
    /// One send: the periodic task and the tick it stands for.
    public struct Fire: Sendable, Equatable {
        /// The task as loaded: what the send carries.
        public var task: PeriodicTask
        public var periodicTaskID: Int { task.id }
        /// The scheduled instant: with the task id, it names the fire (dedup key, task id).
        public var tick: Date
        /// What `last_run_at` becomes: the tick, or for a catch-up the time it was sent.
        public var lastRunAt: Date
        /// Stands for every tick missed while beat was away.
        public var catchUp: Bool
        /// A one-off task: disabled once this is sent.
        public var oneOff: Bool
    }

    /// What ``take(now:limit:)`` found due.
    public struct Step: Sendable, Equatable {
        public var fires: [Fire] = []
        /// Tasks whose `expires` has passed: to disable, unsent.
        public var expired: [Int] = []

        public init(fires: [Fire] = [], expired: [Int] = []) {
            self.fires = fires
            self.expired = expired
        }
    }

    struct Entry: Sendable {
        var task: PeriodicTask
        var schedule: FireSchedule
        var lastTick: Date?
        var next: Date?
        var version: Int
    }

    /// Ticks older than this, when found due, are folded into one catch-up fire.
    public var catchUpWindow: TimeInterval
    /// The closest two fires of one task may be (an interval in microseconds would
    /// otherwise ask for a million sends a second).
    public static let minimumGap: TimeInterval = 0.1

    private var entries: [Int: Entry] = [:]
    private var heap = FireHeap()
    private var version = 0

    public init(catchUpWindow: TimeInterval = 15) {
        self.catchUpWindow = catchUpWindow
    }

    /// Tasks planned (enabled, with a schedule the math reads).
    public var count: Int { entries.count }

    /// Replaces the tasks. A task already planned keeps the later of its stored `last_run_at`
    /// and the last tick fired here (write-backs lag behind fires).
    /// - Returns: ids of enabled tasks left out, with why (no schedule, a schedule the math
    ///   refuses).
    @discardableResult
    public mutating func load(_ tasks: [PeriodicTask]) -> [(id: Int, reason: String)] {
        var skipped: [(id: Int, reason: String)] = []
        var loaded: [Int: Entry] = [:]
        loaded.reserveCapacity(tasks.count)
        heap.removeAll()
        version += 1
        for task in tasks where task.enabled {
            guard let row = task.schedule else {
                skipped.append((task.id, "it has no schedule"))
                continue
            }
            let schedule: FireSchedule
            do { schedule = try FireSchedule(row.value) } catch {
                skipped.append((task.id, "its schedule is invalid: \(error.message)"))
                continue
            }
            var entry = Entry(task: task, schedule: schedule, lastTick: entries[task.id]?.lastTick, next: nil, version: version)
            entry.next = Self.nextFire(task, schedule, lastTick: entry.lastTick)
            loaded[task.id] = entry
            push(entry)
        }
        entries = loaded
        return skipped
    }

    /// When the plan next has something to do (a fire, an expiry); nil when nothing is planned.
    public var nextWake: Date? { heap.first?.at }

    /// Takes what is due at `now`, up to `limit` fires, and plans each task's next tick.
    public mutating func take(now: Date, limit: Int = 1000) -> Step {
        var step = Step()
        while let top = heap.first, top.at <= now, step.fires.count < limit {
            heap.popFirst()
            guard var entry = entries[top.taskID], entry.version == top.version else { continue }
            if let expires = entry.task.expires, expires <= now {
                step.expired.append(top.taskID)
                entries[top.taskID] = nil
                continue
            }
            guard let due = entry.next, due <= now else {
                push(entry)
                continue
            }
            let late = now.timeIntervalSince(due) > catchUpWindow
            let fire = Fire(
                task: entry.task, tick: due, lastRunAt: late ? now : due, catchUp: late, oneOff: entry.task.oneOff)
            step.fires.append(fire)
            if fire.oneOff {
                entries[top.taskID] = nil
                continue
            }
            entry.lastTick = fire.lastRunAt
            entry.next = Self.nextFire(entry.task, entry.schedule, lastTick: fire.lastRunAt)
            entries[top.taskID] = entry
            push(entry)
        }
        return step
    }

    /// The task's next tick, counted from the later of its `last_run_at` and `lastTick`; for
    /// a task that never ran, from `start_time` (its first fire is at or after it) or else
    /// from `date_changed` (when it was saved), and a clocked task at its time. Never before
    /// `start_time`. Nil when the schedule has no more fires.
    public static func nextFire(_ task: PeriodicTask, _ schedule: FireSchedule, lastTick: Date? = nil) -> Date? {
        let lastRun = [task.lastRunAt, lastTick].compactMap { $0 }.max()
        var next: Date?
        if let lastRun {
            next = schedule.nextFire(after: lastRun).map { max($0, lastRun.addingTimeInterval(minimumGap)) }
        } else if case .clocked(let clocked) = schedule {
            next = clocked.clockedTime
        } else if let start = task.startTime {
            next = schedule.firstFire(atOrAfter: start)
        } else {
            next = schedule.nextFire(after: task.dateChanged)
        }
        if let start = task.startTime, let planned = next, planned < start {
            next = schedule.firstFire(atOrAfter: start)
        }
        return next
    }

    /// The next `count` sends of a task as beat would make them from `now`: ticks already
    /// due are one send now; later ones on the grid.
    public static func upcomingFires(_ task: PeriodicTask, _ schedule: FireSchedule, count: Int = 5, now: Date) -> [Date] {
        var fires: [Date] = []
        var next = nextFire(task, schedule)
        if let due = next, due < now {
            fires.append(now)
            next = nextFire(task, schedule, lastTick: now)
        }
        while let fire = next, fires.count < count {
            if let expires = task.expires, fire >= expires { break }
            fires.append(fire)
            if task.oneOff { break }
            next = schedule.nextFire(after: fire)
        }
        return fires
    }

    private mutating func push(_ entry: Entry) {
        let times = [entry.next, entry.task.expires].compactMap { $0 }
        guard let at = times.min() else { return }
        heap.push(FireHeap.Item(at: at, taskID: entry.task.id, version: entry.version))
    }
}
