// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacJobs
import CeleriacSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// Runs one decoded task message: picks the job, runs it, and turns the outcome into the
/// final report. Never throws: every failure becomes a FAILURE report.
struct Executor: Sendable {
    let registry: JobRegistry
    let workerName: String
    let clock: any WallClock
    let logger: Logger
    let pid = Int(ProcessInfo.processInfo.processIdentifier)

    /// The STARTED report for `message`.
    func startedReport(_ message: TaskMessage, queue: String?) -> TaskReport {
        report(message, queue: queue, state: .started)
    }

    /// Runs the job and returns its SUCCESS or FAILURE report.
    func execute(_ message: TaskMessage, queue: String?) async -> TaskReport {
        guard let job = registry.job(named: message.task) else {
            let error = TaskError(
                type: "NotRegistered", module: "celery.exceptions",
                message: "Task of kind '\(message.task)' is not registered in celeriac-worker \(workerName)",
                traceback: "celery.exceptions.NotRegistered: '\(message.task)'\n")
            return report(message, queue: queue, state: .failure, error: error)
        }
        let invocation = JobInvocation(
            taskID: message.id, task: message.task, args: message.args, kwargs: message.kwargs,
            retries: message.retries, logger: logger)
        do {
            let value = try await job.run(invocation)
            return report(message, queue: queue, state: .success, result: value)
        } catch let failure as JobFailure {
            let error = TaskError(
                type: failure.type, module: failure.module, message: failure.message,
                traceback: "Traceback (celeriac-worker, job \(message.task)):\n\(failure.module).\(failure.type): \(failure.message)\n")
            return report(message, queue: queue, state: .failure, error: error)
        } catch {
            let type = String(describing: Swift.type(of: error))
            let error = TaskError(
                type: type, module: "celeriac", message: "\(error)",
                traceback: "Traceback (celeriac-worker, job \(message.task)):\n\(type): \(error)\n")
            return report(message, queue: queue, state: .failure, error: error)
        }
    }

    /// FAILURE `WorkerCrashed`: the task took its worker down `crashes` times in a row, so it
    /// is not run again.
    func crashedReport(_ message: TaskMessage, queue: String?, crashes: Int) -> TaskReport {
        let error = TaskError(
            type: "WorkerCrashed", module: "celeriac",
            message: "worker lost \(crashes) times while running this task; not retried",
            traceback: "celeriac.WorkerCrashed: worker lost \(crashes) times\n")
        return report(message, queue: queue, state: .failure, error: error)
    }

    /// REVOKED: the task expired before it could run.
    func expiredReport(_ message: TaskMessage, queue: String?) -> TaskReport {
        let error = TaskError(type: "TaskRevokedError", module: "celery.exceptions", message: "expired")
        return report(message, queue: queue, state: .revoked, error: error)
    }

    private func report(
        _ message: TaskMessage, queue: String?, state: TaskState, result: JSONValue? = nil, error: TaskError? = nil
    ) -> TaskReport {
        TaskReport(
            id: message.id, state: state, task: message.task, queue: queue, args: message.args, kwargs: message.kwargs,
            worker: workerName, pid: pid, timestamp: clock.now.timeIntervalSince1970, result: result, error: error,
            retries: message.retries)
    }
}
