// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTP
import CeleriacPostgres
import CeleriacRedis
import Logging
import Foundation
import Hummingbird

/// `POST /internal/reports`: workers' state changes. The API is the single writer of results,
/// so this is where Celery's result keys and the history rows are written.
struct ReportRoutes: Sendable {
    let api: APIContext

    func register(on router: Router<BasicRequestContext>) {
        router.post("/internal/reports") { request, _ in try await receive(request) }
    }

    func receive(_ request: Request) async throws -> Response {
        try api.workerToken?.verify(request)
        let body = try await request.bodyBytes(limit: api.settings.maxBodyBytes)
        let batch: ReportBatch
        do {
            batch = try JSONDecoder().decode(ReportBatch.self, from: Data(body.readableBytesView))
        } catch DecodingError.dataCorrupted {
            throw Problem.badRequest("request body is not valid JSON")
        } catch {
            throw Problem.invalid([.init(pointer: "/reports", detail: "not a list of task reports: \(error)")])
        }
        guard batch.reports.count <= ReportBatch.maxReports else {
            throw Problem.invalid([.init(pointer: "/reports", detail: "more than \(ReportBatch.maxReports) reports")])
        }
        for (index, report) in batch.reports.enumerated() where report.id.isEmpty || report.id.utf8.count > 255 {
            throw Problem.invalid([.init(pointer: "/reports/\(index)/id", detail: "must be 1–255 bytes")])
        }
        var applied = 0
        for report in batch.reports {
            if try await api.tasks.apply(report) {
                applied += 1
                api.history.record(HistoryEntry(report: report))
            }
        }
        return .json(
            JSONValue.object(["accepted": .int(Int64(batch.reports.count)), "applied": .int(Int64(applied))]).jsonText)
    }
}
