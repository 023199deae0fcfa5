// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacJobs
import CeleriacSystem

/// One job running in a Swift task of its own, so the worker can stop waiting for it: a
/// soft time limit or a revoke cancels the task (cooperative: the job may clean up and
/// return), a hard time limit abandons it (the slot is freed and the task reported at once,
/// whatever the job still does).
final class JobRun: Sendable {
    /// Why the worker stepped in.
    enum Stop: Sendable, Equatable {
        case softLimit
        case hardLimit
        case revoked
        /// The worker is stopping now (grace period over, second SIGINT): the task goes back.
        case shutdown
    }

    enum Ending: Sendable {
        /// The job returned or threw.
        case returned(Result<JSONValue, any Error>)
        /// The worker stopped waiting for it.
        case abandoned(Stop)
    }

    private struct State {
        var ending: Ending?
        var waiter: CheckedContinuation<Ending, Never>?
        /// The first reason the job's task was cancelled.
        var cancelled: Stop?
    }

    private let state: Locked<State>
    private let task: Task<Void, Never>

    init(job: any Job, invocation: JobInvocation) {
        let state = Locked(State())
        self.state = state
        // One task per job: it hands the result over itself (no second task awaiting it).
        task = Task {
            let result: Result<JSONValue, any Error>
            do { result = .success(try await job.run(invocation)) } catch { result = .failure(error) }
            Self.end(.returned(result), state)
        }
    }

    /// The first reason the job was cancelled, if it was.
    var cancelReason: Stop? { state.withLock { $0.cancelled } }

    /// Cancels the job's task; the job decides how to end.
    func cancel(_ reason: Stop) {
        state.withLock { if $0.cancelled == nil { $0.cancelled = reason } }
        task.cancel()
    }

    /// Stops waiting: ``ending()`` returns at once with `reason`, and the task is cancelled.
    func abandon(_ reason: Stop) {
        cancel(reason)
        end(.abandoned(reason))
    }

    /// How the run ended: the job's result, or the worker's abandoning it.
    func ending() async -> Ending {
        await withCheckedContinuation { continuation in
            let ended = state.withLock { state -> Ending? in
                if let ending = state.ending { return ending }
                state.waiter = continuation
                return nil
            }
            if let ended { continuation.resume(returning: ended) }
        }
    }

    private func end(_ ending: Ending) { Self.end(ending, state) }

    private static func end(_ ending: Ending, _ state: Locked<State>) {
        let waiter = state.withLock { state -> CheckedContinuation<Ending, Never>? in
            guard state.ending == nil else { return nil }
            state.ending = ending
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: ending)
    }
}

/// The jobs running now, by task id: a revoke with `terminate` finds its run here.
final class RunningJobs: Sendable {
    private let runs = Locked<[String: [ObjectIdentifier: JobRun]]>([:])

    func add(_ run: JobRun, id: String) {
        runs.withLock { $0[id, default: [:]][ObjectIdentifier(run)] = run }
    }

    func remove(_ run: JobRun, id: String) {
        runs.withLock { runs in
            runs[id]?[ObjectIdentifier(run)] = nil
            if runs[id]?.isEmpty == true { runs[id] = nil }
        }
    }

    /// The runs of task `id` (normally one; a duplicate delivery may make two).
    func runs(of id: String) -> [JobRun] {
        runs.withLock { Array(($0[id] ?? [:]).values) }
    }
}
