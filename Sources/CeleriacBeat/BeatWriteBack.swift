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
        add(BeatRepository.Run(
            periodicTaskID: id, lastRunAt: fire.lastRunAt, sent: sent ? 1 : 0, taskID: taskID, tick: fire.tick, firedAt: now))
        if fire.oneOff { oneOff.insert(id) }
    }

    func recordExpired(_ ids: [Int]) { expired.formUnion(ids) }

    /// Folds `run` into what waits for its task: counts add up, the latest `last_run_at`
    /// and the latest send win.
    private func add(_ run: BeatRepository.Run) {
        guard var waiting = runs[run.periodicTaskID] else {
            runs[run.periodicTaskID] = run
            return
        }
        waiting.sent += run.sent
        waiting.lastRunAt = max(waiting.lastRunAt, run.lastRunAt)
        if run.tick >= waiting.tick {
            waiting.taskID = run.taskID
            waiting.tick = run.tick
            waiting.firedAt = run.firedAt
        }
        runs[run.periodicTaskID] = waiting
    }

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
            for run in runs.values { add(run) }
            self.oneOff.formUnion(oneOff)
            self.expired.formUnion(expired)
            throw error
        }
    }
}
