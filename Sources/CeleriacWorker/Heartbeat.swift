// Celeriac — a Celery-compatible job service in Swift.

import CeleriacRedis

/// Records the worker alive (`celeriac:workers`) every heartbeat interval, so reapers do not
/// take it for dead between lease renewals.
struct Heartbeat: WorkerDuty {
    let broker: Broker
    let worker: String
    let interval: Duration
    var name: String { "heartbeat" }

    func round() async throws {
        try await broker.heartbeat(worker: worker)
    }
}
