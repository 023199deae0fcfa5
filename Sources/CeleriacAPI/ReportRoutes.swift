// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTPServer
import CeleriacPostgres
import CeleriacRedis
import Hummingbird

/// `POST /internal/reports`: workers' state changes. The API is the single writer of results,
/// so this is where Celery's result keys and the history rows are written.
struct ReportRoutes: Sendable {
    let api: APIContext

    func register(on routes: RouteTable) {
        routes.add(.post, "/internal/reports", access: .scope(.worker)) { request, _ in try await receive(request) }
    }

    func receive(_ request: Request) async throws -> Response {
        let body = try await request.bodyBytes(limit: api.settings.maxBodyBytes)
        let batch = try ReportBatch.decode(Array(body.readableBytesView))
        // One pipeline, in the batch's order: each task's reports apply in the order sent, each
        // with its history entry for the outbox (PROGRESS is not history: the row would churn).
        let history = batch.reports.map { report in
            report.state == .progress ? nil : String(decoding: HistoryEntry(report: report).outboxRecord(), as: UTF8.self)
        }
        let outcomes = try await api.tasks.apply(batch.reports, history: history)
        var applied = 0
        var fenced: [DomainError.FieldError] = []
        for (index, report) in batch.reports.enumerated() {
            switch outcomes[index] {
            case .applied:
                applied += 1
            case .stale:
                break
            case .fenced:
                fenced.append(.init(
                    pointer: "/reports/\(index)/lease",
                    detail: "task \(report.id): lease \(report.lease ?? "") is not the current attempt"))
            }
        }
        // The other reports of the batch were applied; the worker must not retry these.
        guard fenced.isEmpty else {
            throw DomainError(
                .conflict, operation: "reports",
                "\(fenced.count) report(s) from a superseded attempt rejected; \(applied) applied", fields: fenced,
                reason: "stale-lease")
        }
        return .json(
            JSONValue.object(["accepted": .int(Int64(batch.reports.count)), "applied": .int(Int64(applied))]).jsonText)
    }
}
