// Celeriac — a Celery-compatible job service in Swift.

import CeleriacRedis
import CeleriacSystem

/// Records the worker alive (`celeriac:workers`) every heartbeat interval, so reapers do not
/// take it for dead between lease renewals, and its task names still known
/// (`celeriac:registry:seen`).
struct Heartbeat: WorkerDuty {
    let broker: Broker
    let worker: String
    let interval: Duration
    let taskNames: [String]
    let clock: any WallClock
    var name: String { "heartbeat" }

    func round() async throws {
        try await broker.heartbeat(worker: worker)
        try await TaskRegistry(redis: broker.redis).touch(taskNames, at: clock.now)
    }
}
