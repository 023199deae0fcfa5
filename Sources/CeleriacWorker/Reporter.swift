// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTP
import CeleriacSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// Sends state changes to the API's `POST /internal/reports` in batches, in order, retrying
/// with backoff until the API accepts them. A final report's caller waits for acceptance
/// before acknowledging the message, so a lost report means a re-run, never a lost result.
final class Reporter: Sendable {
    private struct Entry {
        let tag: Int
        let report: TaskReport
        let accepted: CheckedContinuation<Bool, Never>?
    }

    private let url: String
    private let token: String?
    private let batchSize: Int
    private let http: HTTPClient
    private let clock: any WallClock
    private let logger: Logger
    /// Reports waiting to be sent, in order; `closed` once ``run()`` has returned, so a late
    /// ``deliver(_:)`` is answered at once instead of waiting for a sender that is gone.
    private let queue = Locked<(entries: [Entry], closed: Bool)>(([], false))
    private let wake = WakeSignal()
    private let stopping = Locked(false)
    private let nextTag = Locked(0)

    init(apiURL: String, token: String?, batchSize: Int, http: HTTPClient, clock: any WallClock, logger: Logger) {
        url = apiURL.hasSuffix("/") ? apiURL + "internal/reports" : apiURL + "/internal/reports"
        self.token = token
        self.batchSize = batchSize
        self.http = http
        self.clock = clock
        self.logger = logger
    }

    /// Queues a report without waiting (STARTED).
    func post(_ report: TaskReport) {
        enqueue(report, accepted: nil)
    }

    /// Queues a report and returns true once the API has accepted it (SUCCESS, FAILURE);
    /// false when it was abandoned (its lease given back) or the reporter has stopped.
    func deliver(_ report: TaskReport) async -> Bool {
        await withCheckedContinuation { continuation in
            if !enqueue(report, accepted: continuation) { continuation.resume(returning: false) }
        }
    }

    /// Appends the report unless the reporter has stopped; false when it has (nothing sends
    /// any more, so the caller answers for itself).
    @discardableResult
    private func enqueue(_ report: TaskReport, accepted: CheckedContinuation<Bool, Never>?) -> Bool {
        let tag = nextTag.withLock { $0 += 1; return $0 }
        let queued = queue.withLock { queue in
            if !queue.closed { queue.entries.append(Entry(tag: tag, report: report, accepted: accepted)) }
            return !queue.closed
        }
        if queued { wake.notify() }
        return queued
    }

    /// Drops queued reports of the given leases (given back to the queue: another attempt
    /// reports instead).
    func abandon(leases: Set<String>) {
        let dropped = queue.withLock { queue in
            let (drop, keep) = queue.entries.reduce(into: ([Entry](), [Entry]())) { split, entry in
                if let lease = entry.report.lease, leases.contains(lease) { split.0.append(entry) } else { split.1.append(entry) }
            }
            queue.entries = keep
            return drop
        }
        for entry in dropped { entry.accepted?.resume(returning: false) }
    }

    /// Sends until stopped and drained, or cancelled. Runs as one of the worker's background
    /// duties.
    func run() async {
        var failures = 0
        while true {
            if Task.isCancelled {
                let dropped = queue.withLock { queue in
                    defer { queue = ([], true) }
                    return queue.entries
                }
                for entry in dropped { entry.accepted?.resume(returning: false) }
                return
            }
            let (batch, closed) = queue.withLock { queue in
                if queue.entries.isEmpty && stopping.current { queue.closed = true }
                return (Array(queue.entries.prefix(batchSize)), queue.closed)
            }
            if batch.isEmpty {
                if closed { return }
                await wake.wait(timeout: .seconds(1), clock: clock)
                continue
            }
            if await send(Self.folded(batch.map(\.report))) {
                failures = 0
                // Only what is still queued: abandon() may have dropped some of the batch
                // meanwhile. Entries are only ever appended, so the batch's survivors are
                // still the front of the queue, in order.
                let sent = queue.withLock { queue in
                    var count = 0
                    for entry in batch where count < queue.entries.count && queue.entries[count].tag == entry.tag { count += 1 }
                    defer { queue.entries.removeFirst(count) }
                    return Array(queue.entries.prefix(count))
                }
                for entry in sent { entry.accepted?.resume(returning: true) }
            } else {
                failures += 1
                try? await clock.sleep(for: Backoff.report.delay(afterFailures: failures))
            }
        }
    }

    /// Lets ``run()`` return once everything queued has been accepted.
    func finish() {
        stopping.withLock { $0 = true }
        wake.notify()
    }

    /// True when the API took the batch (or rejected it as unusable, which retrying cannot fix).
    private func send(_ reports: [TaskReport]) async -> Bool {
        let body = ReportBatch(reports: reports).encoded()
        var headers = [("Content-Type", "application/json")]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        do {
            let response = try await http.send(
                HTTPClientRequest(method: "POST", url: url, headers: headers, body: body, timeout: .seconds(10)))
            switch response.status {
            case 200..<300:
                return true
            case 409:
                // Fenced: another attempt owns these tasks now; the rest of the batch was applied.
                logger.warning(
                    "API rejected reports of superseded attempts", metadata: ["body": "\(response.text.prefix(500))"])
                return true
            case 413 where reports.count > 1:
                // Over the API's body limit (tasks with large arguments): the halves fit, or
                // are halved again, rather than dropped with their tasks' final states.
                logger.notice("API refused a report batch as too large; sending it in halves", metadata: ["reports": "\(reports.count)"])
                let half = reports.count / 2
                guard await send(Array(reports[..<half])) else { return false }
                return await send(Array(reports[half...]))
            case 413 where reports[0].args != nil || reports[0].kwargs != nil:
                // One report alone is too large: without its arguments (the API has them from
                // the enqueue, or from an earlier report) its state still gets through.
                var slim = reports[0]
                slim.args = nil
                slim.kwargs = nil
                return await send([slim])
            case 422 where reports.count > 1:
                // The API names the first report it refused (`/reports/N/...`): drop that one
                // and send the rest, instead of losing every other task's report with it.
                if let refused = Self.refusedIndex(in: response.body, count: reports.count) {
                    logger.error(
                        "API rejected a report; dropping it, sending the rest",
                        metadata: ["task_id": "\(reports[refused].id.prefix(255))", "body": "\(response.text.prefix(500))"])
                    var rest = reports
                    rest.remove(at: refused)
                    return await send(rest)
                }
                fallthrough
            case 400, 413, 422:
                logger.error(
                    "API rejected reports; dropping them",
                    metadata: ["status": "\(response.status)", "body": "\(response.text.prefix(500))"])
                return true
            default:
                logger.warning("API did not accept reports; retrying", metadata: ["status": "\(response.status)"])
                return false
            }
        } catch {
            logger.warning("cannot reach API; retrying", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// The index of the report a 422 answer points at (`/reports/N/...`), if it names one of `count`.
    static func refusedIndex(in body: [UInt8], count: Int) -> Int? {
        guard let pointer = (try? JSONValue.parse(body))?["errors"]?.arrayValue?.first?["pointer"]?.stringValue else {
            return nil
        }
        let parts = pointer.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0].isEmpty, parts[1] == "reports", let index = Int(parts[2]), (0..<count).contains(index)
        else { return nil }
        return index
    }

    /// The batch without the reports a later one of the same attempt makes redundant: a
    /// STARTED followed by its final report (final reports carry their start time: ``Worker``
    /// sets `startedAt`), and a PROGRESS followed by a later PROGRESS (the last one stays, so
    /// the record keeps how far the job got). For tasks that finish before their STARTED was
    /// sent this halves the API's and Redis's work, and a job reporting progress often costs
    /// one report per batch.
    static func folded(_ reports: [TaskReport]) -> [TaskReport] {
        func attempt(_ report: TaskReport) -> String { report.id + "/" + (report.lease ?? "") }
        var lastFinal: [String: Int] = [:]
        var lastProgress: [String: Int] = [:]
        for (index, report) in reports.enumerated() {
            if report.state.isFinal || report.state == .retry { lastFinal[attempt(report)] = index }
            if report.state == .progress { lastProgress[attempt(report)] = index }
        }
        guard !lastFinal.isEmpty || lastProgress.count > 0 else { return reports }
        return reports.enumerated().filter { index, report in
            let key = attempt(report)
            switch report.state {
            case .started: return (lastFinal[key] ?? -1) < index
            case .progress: return (lastProgress[key] ?? -1) <= index
            default: return true
            }
        }.map(\.element)
    }
}
