// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacPostgres
import CeleriacSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Sends waiting to be written to django-celery-beat's rows, coalesced per task and written
/// in one statement a second (``BeatRepository/write(_:oneOff:expired:now:)``), away from the
/// loop that sends, so a slow PostgreSQL never makes a fire late. What a crash loses here is
/// at most the last second's bookkeeping: the next leader re-derives those ticks, and their
/// dedup keys keep them from being sent twice.
actor BeatWriteBack {
    private let repository: BeatRepository
    private let clock: any WallClock
    private var runs: [Int: BeatRepository.Run] = [:]
    private var oneOff: Set<Int> = []
    private var expired: Set<Int> = []

    init(repository: BeatRepository, clock: any WallClock) {
        self.repository = repository
        self.clock = clock
    }

    var isEmpty: Bool { runs.isEmpty && oneOff.isEmpty && expired.isEmpty }

    /// Notes a fire: `sent` false when its dedup key showed it was sent before (by an earlier
    /// leader, which counted it).
    func record(_ fire: BeatPlan.Fire, taskID: String, sent: Bool, at now: Date) {
        let id = fire.periodicTaskID
        var run = runs[id] ?? BeatRepository.Run(
            periodicTaskID: id, lastRunAt: fire.lastRunAt, sent: 0, taskID: taskID, tick: fire.tick, firedAt: now)
        run.lastRunAt = max(run.lastRunAt, fire.lastRunAt)
        if sent { run.sent += 1 }
        if fire.tick >= run.tick {
            run.taskID = taskID
            run.tick = fire.tick
            run.firedAt = now
        }
        runs[id] = run
        if fire.oneOff { oneOff.insert(id) }
    }

    func recordExpired(_ ids: [Int]) { expired.formUnion(ids) }

    /// Writes what is waiting; on failure keeps it for the next try.
    func flush() async throws {
        guard !isEmpty else { return }
        let (runs, oneOff, expired) = (self.runs, self.oneOff, self.expired)
        self.runs = [:]
        self.oneOff = []
        self.expired = []
        do {
            try await repository.write(
                runs.values.sorted { $0.periodicTaskID < $1.periodicTaskID }, oneOff: oneOff.sorted(), expired: expired.sorted(),
                now: clock.now)
        } catch {
            for (id, run) in runs {
                if let newer = self.runs[id] {
                    var merged = run
                    merged.sent += newer.sent
                    merged.lastRunAt = max(run.lastRunAt, newer.lastRunAt)
                    if newer.tick >= run.tick {
                        merged.taskID = newer.taskID
                        merged.tick = newer.tick
                        merged.firedAt = newer.firedAt
                    }
                    self.runs[id] = merged
                } else {
                    self.runs[id] = run
                }
            }
            self.oneOff.formUnion(oneOff)
            self.expired.formUnion(expired)
            throw error
        }
    }
}
