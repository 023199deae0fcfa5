// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Task records and Celery result keys in Redis. The API is their only writer.
public struct TaskStore: Sendable {
    public let redis: RedisClient
    public let ttlSeconds: Int

    public init(redis: RedisClient, ttlSeconds: Int = 86_400) {
        self.redis = redis
        self.ttlSeconds = ttlSeconds
    }

    /// What became of a report.
    public enum Outcome: Sendable, Equatable {
        case applied
        /// The record already holds a later state.
        case stale
        /// The report's lease token is not the task's current one: another attempt owns it.
        case fenced
    }

    /// Applies a worker's report to the record and `celery-task-meta-<id>`; a final report of
    /// the task's current attempt also ends that attempt's lease.
    public func apply(_ report: TaskReport, history: String? = nil) async throws -> Outcome {
        try await apply([report], history: [history])[0]
    }

    /// Applies `reports` in order, all in one pipeline: one round trip for a worker's batch.
    /// - Parameter history: per report, the history entry (``HistoryOutbox``) to add to the
    ///   outbox if it is applied; nil or absent for none.
    public func apply(_ reports: [TaskReport], history: [String?] = []) async throws -> [Outcome] {
        guard !reports.isEmpty else { return [] }
        let replies = try await redis.run(.applyReport, calls: reports.enumerated().map { index, report in
            let once = report.hashFieldsIfAbsent()
            var args = [
                String(TaskState.rank(report.state, retries: report.retries)), String(ttlSeconds), report.resultMeta().encoded(),
                report.lease ?? "", report.state.isFinal ? "1" : "0", String(once.count),
                index < history.count ? history[index] ?? "" : "",
            ]
            for (field, value) in once { args += [field, value] }
            for (field, value) in report.hashFields() { args += [field, value] }
            return ([RedisKeys.task(report.id), RedisKeys.resultMeta(report.id), RedisKeys.historyOutbox], args)
        })
        return replies.map { reply in
            switch reply.integer {
            case 1: .applied
            case -1: .fenced
            default: .stale
            }
        }
    }

    /// The record merged with Celery's result key: when a real Celery worker ran the task, its
    /// meta is newer than our record and wins. Nil when Redis knows neither.
    public func fetch(id: String) async throws -> TaskRecord? {
        // Celery's meta first, then our record, in one pipeline (Redis runs them in order):
        // our reports write both in one script, so the record read second is never older
        // than the meta. Read the other way round (or concurrently), a report applied in
        // between paired a finished meta with a record that had no start time yet.
        let replies = try await redis.commands([["GET", RedisKeys.resultMeta(id)], ["HGETALL", RedisKeys.task(id)]])
        let hash = Dictionary(replies[1].stringPairs) { _, last in last }
        let meta = replies[0].bytes.flatMap { ResultMeta.decode($0) }
        var record = TaskRecord(id: id, hash: hash)
        if let meta {
            if record == nil { record = TaskRecord(id: id, task: "", state: .pending) }
            record?.merge(meta)
        }
        return record
    }
}

extension TaskRecord {
    /// Takes state and result from Celery's meta when it is further along than the record.
    mutating func merge(_ meta: ResultMeta) {
        guard meta.status.rank > state.rank else { return }
        state = meta.status
        switch meta.status {
        case .success:
            result = meta.result
            finishedAt = meta.dateDone ?? finishedAt
        case .failure, .revoked:
            error = TaskError(celeryResult: meta.result, traceback: meta.traceback)
            finishedAt = meta.dateDone ?? finishedAt
        case .started:
            worker = meta.result["hostname"]?.stringValue ?? worker
        default:
            break
        }
    }
}
