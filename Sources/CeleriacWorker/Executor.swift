// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacJobs
import CeleriacRedis
import CeleriacSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// Runs one decoded task message: picks the job, runs it under its time limits (``JobRun``),
/// and turns the outcome into the final report or a retry. Never throws: every failure
/// becomes a report.
struct Executor: Sendable {
    let registry: JobRegistry
    let secrets: Secrets
    let workerName: String
    let clock: any WallClock
    let logger: Logger
    let running: RunningJobs
    /// Publishes the follow-up tasks jobs enqueue (a backup's Slack message).
    let publisher: TaskPublisher?
    /// Where jobs' per-task notes live (``TaskLedger``); nil keeps them in memory.
    var ledgers: TaskLedgers? = nil
    /// Uniform in 0..<1: the jitter of retry delays.
    var random: @Sendable () -> Double = { Double.random(in: 0..<1) }
    let pid = Int(ProcessInfo.processInfo.processIdentifier)

    /// What became of a run.
    enum Outcome: Sendable {
        /// SUCCESS, FAILURE or REVOKED.
        case final(TaskReport)
        /// RETRY: report it, then park `next` until `at`.
        case retry(TaskReport, next: TaskMessage, at: Date)
    }

    /// The STARTED report for `message`.
    func startedReport(_ message: TaskMessage, queue: String?) -> TaskReport {
        report(message, queue: queue, state: .started)
    }

    /// Runs the job; `onProgress` receives its PROGRESS reports.
    func execute(_ message: TaskMessage, queue: String?, onProgress: @escaping @Sendable (TaskReport) -> Void) async -> Outcome {
        guard let job = registry.job(named: message.task) else {
            let error = TaskError(
                type: "NotRegistered", module: "celery.exceptions",
                message: "Task of kind '\(message.task)' is not registered in celeriac-worker \(workerName)",
                traceback: "celery.exceptions.NotRegistered: '\(message.task)'\n")
            return .final(report(message, queue: queue, state: .failure, error: error))
        }
        // Arguments a Celery client sent are checked as the API checks ours at enqueue.
        if let schema = registry.spec(named: message.task)?.schema, schema.checksSomething {
            do {
                _ = try schema.check(args: message.args, kwargs: message.kwargs, operation: message.task)
            } catch {
                let detail = error.fields.map { "\($0.pointer): \($0.detail)" }.joined(separator: "; ")
                let failure = TaskError(
                    type: "TypeError", module: "builtins", message: "\(message.task): \(detail)",
                    traceback: "TypeError: \(message.task): \(detail)\n")
                return .final(report(message, queue: queue, state: .failure, error: failure))
            }
        }
        let followUp: (@Sendable (FollowUp) async throws -> String)? = publisher.map { publisher in
            { @Sendable followUp in try await Self.publish(followUp, after: message, queue: queue, on: publisher) }
        }
        let invocation = JobInvocation(
            taskID: message.id, task: message.task, args: message.args, kwargs: message.kwargs,
            retries: message.retries, logger: logger, secrets: secrets,
            ledger: ledgers.map { ledgers in
                TaskLedger(read: { try await ledgers.read(message.id) }, write: { try await ledgers.write(message.id, $0) })
            } ?? .inMemory(),
            progress: { progress in
                // Without the arguments: the STARTED report recorded them (they are written
                // only where absent), and a job reporting often would resend them each time.
                var update = report(message, queue: queue, state: .progress, result: progress.json)
                update.args = nil
                update.kwargs = nil
                onProgress(update)
            },
            followUp: followUp)
        let run = JobRun(job: job, invocation: invocation)
        running.add(run, id: message.id)
        defer { running.remove(run, id: message.id) }
        // A message without limits (a Celery client that set none) gets the job's own.
        let given = message.timeLimits
        let spec = given.hard == nil && given.soft == nil ? registry.spec(named: message.task) : nil
        let limits = spec.map { (hard: $0.timeLimit, soft: $0.softTimeLimit) } ?? given
        let timer = limits.hard == nil && limits.soft == nil ? nil : Task { await enforce(limits, on: run, id: message.id) }
        // The job's task is not a child of this one: a worker stopping now must not wait for it.
        let ending = await withTaskCancellationHandler {
            await run.ending()
        } onCancel: {
            run.abandon(.shutdown)
        }
        timer?.cancel()
        let ended = outcome(of: ending, cancelled: run.cancelReason, limits: limits, message: message, queue: queue)
        if case .final(let report) = ended, report.state == .failure, let error = report.error {
            await afterFailure(job, invocation, error)
        }
        return ended
    }

    /// Runs the job's ``Job/failed(_:error:)`` with 10 seconds to finish.
    private func afterFailure(_ job: any Job, _ invocation: JobInvocation, _ error: TaskError) async {
        let hook = Task { await job.failed(invocation, error: error) }
        let deadline = clock.now.addingTimeInterval(10)
        let timer = Task { [clock] in
            if (try? await clock.sleep(until: deadline)) != nil { hook.cancel() }
        }
        await hook.value
        timer.cancel()
    }

    /// A follow-up on the parent's queue, its `parent_id` the parent and its id derived from
    /// the parent's and the key, published at most once per key.
    private static func publish(_ followUp: FollowUp, after message: TaskMessage, queue: String?, on publisher: TaskPublisher)
        async throws -> String
    {
        let options = TaskOptions(
            queue: queue ?? TaskOptions.defaultQueue, parentID: message.id,
            rootID: message.headers["root_id"]?.stringValue ?? message.id)
        let request = TaskPublisher.Request(
            task: followUp.task, kwargs: followUp.kwargs, options: options, id: TaskID.derived(from: "\(message.id)/\(followUp.key)"),
            idempotency: Broker.Idempotency(key: "follow-up:\(message.id):\(followUp.key)", canonicalRequest: followUp.task))
        return try await publisher.publish(request).id
    }

    /// Cancels the job at the soft limit and abandons it at the hard one (a soft limit at or
    /// past the hard one never fires, as in Celery).
    private func enforce(_ limits: (hard: Double?, soft: Double?), on run: JobRun, id: String) async {
        let start = clock.now
        if let soft = limits.soft, soft < (limits.hard ?? .infinity) {
            guard (try? await clock.sleep(until: start.addingTimeInterval(soft))) != nil else { return }
            run.cancel(.softLimit)
        }
        if let hard = limits.hard {
            guard (try? await clock.sleep(until: start.addingTimeInterval(hard))) != nil else { return }
            logger.warning("task passed its hard time limit; abandoned", metadata: ["task_id": "\(id)"])
            run.abandon(.hardLimit)
        }
    }

    private func outcome(
        of ending: JobRun.Ending, cancelled: JobRun.Stop?, limits: (hard: Double?, soft: Double?), message: TaskMessage,
        queue: String?
    ) -> Outcome {
        if cancelled == .revoked {
            return .final(revokedReport(message, queue: queue, reason: "terminated"))
        }
        switch ending {
        case .abandoned(.hardLimit):
            let limit = limits.hard.map { "\($0)" } ?? "?"
            let error = TaskError(
                type: "TimeLimitExceeded", module: "billiard.exceptions", message: limit,
                traceback: "billiard.exceptions.TimeLimitExceeded: \(limit)\n")
            return .final(report(message, queue: queue, state: .failure, error: error))
        case .abandoned:
            return .final(revokedReport(message, queue: queue, reason: "terminated"))
        case .returned(.success(let value)):
            return .final(report(message, queue: queue, state: .success, result: value))
        case .returned(.failure(let error)):
            if cancelled == .softLimit, error is CancellationError {
                let limit = limits.soft.map { "\($0)" } ?? "?"
                let error = TaskError(
                    type: "SoftTimeLimitExceeded", module: "billiard.exceptions", message: "SoftTimeLimitExceeded(\(limit))",
                    traceback: "billiard.exceptions.SoftTimeLimitExceeded: SoftTimeLimitExceeded(\(limit))\n")
                return .final(report(message, queue: queue, state: .failure, error: error))
            }
            return failed(message, queue: queue, error: error, retryable: cancelled == nil)
        }
    }

    /// FAILURE, or RETRY when the job asked for one or the task's policy allows another try.
    private func failed(_ message: TaskMessage, queue: String?, error: any Error, retryable: Bool) -> Outcome {
        // A message without a policy (a Celery client's) gets the job's own.
        let policy = message.retryPolicy ?? registry.spec(named: message.task)?.retry
        if let request = error as? JobRetry {
            let limit = policy?.maxRetries ?? RetryPolicy.defaultMaxRetries
            guard retryable, message.retries < limit else {
                let failure = TaskError(
                    type: "MaxRetriesExceededError", module: "celery.exceptions",
                    message: "Can't retry \(message.task)[\(message.id)] args:\(PythonRepr.tuple(message.args)) kwargs:\(PythonRepr.of(.object(message.kwargs))): \(request.reason)",
                    traceback: "celery.exceptions.MaxRetriesExceededError: \(request.reason)\n")
                return .final(report(message, queue: queue, state: .failure, error: failure))
            }
            let delay = request.delay?.timeInterval ?? policy?.delay(afterRetries: message.retries, unit: random()) ?? 0
            let cause = TaskError(
                type: "Retry", module: "celery.exceptions", message: "Retry in \(Self.seconds(delay))s: \(request.reason)",
                traceback: "celery.exceptions.Retry: Retry in \(Self.seconds(delay))s: \(request.reason)\n")
            return retry(message, queue: queue, error: cause, delay: delay)
        }
        let failure = taskError(error, task: message.task)
        if retryable, (error as? JobFailure)?.retryable != false, let policy, message.retries < policy.maxRetries {
            return retry(message, queue: queue, error: failure, delay: policy.delay(afterRetries: message.retries, unit: random()))
        }
        return .final(report(message, queue: queue, state: .failure, error: failure))
    }

    private func retry(_ message: TaskMessage, queue: String?, error: TaskError, delay: Double) -> Outcome {
        let at = clock.now.addingTimeInterval(delay)
        var retry = report(message, queue: queue, state: .retry, error: error)
        retry.retryAt = at.timeIntervalSince1970
        return .retry(retry, next: message.retried(at: at, deliveryTag: TaskID.random()), at: at)
    }

    /// The Celery-visible exception for an error a job threw.
    private func taskError(_ error: any Error, task: String) -> TaskError {
        if let failure = error as? JobFailure {
            return TaskError(
                type: failure.type, module: failure.module, message: failure.message,
                traceback: failure.traceback
                    ?? "Traceback (celeriac-worker, job \(task)):\n\(failure.module).\(failure.type): \(failure.message)\n")
        }
        let type = String(describing: Swift.type(of: error))
        return TaskError(
            type: type, module: "celeriac", message: "\(error)",
            traceback: "Traceback (celeriac-worker, job \(task)):\n\(type): \(error)\n")
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

    /// REVOKED, as Celery reports it: `TaskRevokedError` with the reason (`expired`,
    /// `revoked`, `terminated`).
    func revokedReport(_ message: TaskMessage, queue: String?, reason: String) -> TaskReport {
        let error = TaskError(type: "TaskRevokedError", module: "celery.exceptions", message: reason)
        return report(message, queue: queue, state: .revoked, error: error)
    }

    private static func seconds(_ value: Double) -> String {
        value.rounded() == value && value < 1e15 ? String(Int64(value)) : String((value * 1000).rounded() / 1000)
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
