// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTPServer
import CeleriacPostgres
import CeleriacRedis
import CeleriacSystem
import Foundation
import Hummingbird

/// `POST /tasks/{id}/revoke` {`terminate`}: the task never runs if it has not started (on any
/// worker: the shared revoke set), and with `terminate` a running one is cancelled on
/// whichever worker runs it. The same as Celery's `AsyncResult.revoke()`, which our workers
/// also obey.
struct RevokeRoutes: Sendable {
    let api: APIContext

    func register(on routes: RouteTable) {
        routes.add(.post, "/tasks/{id}/revoke", access: .scope(.admin)) { request, context in
            let id = context.parameters.get("id")?.removingPercentEncoding ?? ""
            let body = try await request.optionalBodyBytes(limit: api.settings.maxBodyBytes)
            return try await revoke(id: id, terminate: try Self.terminate(in: body, limits: api.settings.limits.json))
        }
    }

    /// Reads `{"terminate": bool}`; an empty body means `false`.
    static func terminate(in body: ByteBuffer, limits: JSONLimits) throws -> Bool {
        guard body.readableBytes > 0 else { return false }
        guard case .object(let fields) = try JSONBody.parse(body, limits: limits) else {
            throw DomainError.invalid("revoke", [.init(pointer: "", detail: "expected object")])
        }
        var errors: [DomainError.FieldError] = []
        for key in fields.keys.sorted() where key != "terminate" {
            errors.append(.init(pointer: "/\(key)", detail: "unknown field"))
        }
        var terminate = false
        if let value = fields["terminate"], value != .null {
            if let flag = value.boolValue { terminate = flag } else {
                errors.append(.init(pointer: "/terminate", detail: "expected boolean, got \(value.kindName)"))
            }
        }
        guard errors.isEmpty else { throw DomainError.invalid("revoke", errors) }
        return terminate
    }

    func revoke(id: String, terminate: Bool) async throws -> Response {
        try TaskRoutes.checkID(id, operation: "revoke")
        let tasks = TaskRoutes(api: api)
        guard let record = try await tasks.find(id: id) else {
            throw DomainError(.notFound, operation: "revoke", "no task with id \(id)")
        }
        guard !record.state.isFinal else {
            throw DomainError(
                .conflict, operation: "revoke", "task \(id) already finished (\(record.state.rawValue))",
                reason: "task-finished")
        }
        let now = api.clock.now
        try await api.revocations.revoke(
            RevokeCommand(taskIDs: [id], terminate: terminate),
            until: now.addingTimeInterval(Revocations.defaultHold.timeInterval), now: now)
        var state = record.state
        // Not running: REVOKED now, as a Celery worker records a task revoked before it ran.
        // A running one changes when its worker has stopped it (terminate) or finishes.
        if ![.started, .progress].contains(record.state) {
            let report = TaskReport(
                id: id, state: .revoked, task: record.task, queue: record.queue, args: record.args, kwargs: record.kwargs,
                worker: "celeriac-api", pid: nil, timestamp: now.timeIntervalSince1970,
                error: TaskError(type: "TaskRevokedError", module: "celery.exceptions", message: "revoked"),
                retries: record.retries)
            let history = String(decoding: HistoryEntry(report: report).outboxRecord(), as: UTF8.self)
            if try await api.tasks.apply(report, history: history) == .applied { state = .revoked }
        }
        var writer = JSONWriter(keyOrder: ["id", "state", "terminate"])
        writer.write(.object(["id": .string(id), "state": .string(state.rawValue), "terminate": .bool(terminate)]))
        return .json(writer.output, status: .accepted)
    }
}
