// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTPServer
import CeleriacPostgres
import CeleriacRedis
import Logging
import Foundation
import Hummingbird

/// `POST /tasks` and `GET /tasks/{id}`.
struct TaskRoutes: Sendable {
    let api: APIContext

    func register(on router: Router<BasicRequestContext>) {
        // Served by `directEnqueue` on the channel; the router's copy answers what that steps
        // aside for (a request pipelined behind a router request, `/tasks/` spellings).
        router.post("/tasks") { request, _ in
            let key = request.headers.first(where: { $0.name.canonicalName == "idempotency-key" })?.value
            return try await enqueue(idempotencyKey: key, body: request.bodyBytes(limit: api.settings.maxBodyBytes)).response
        }
        // The router leaves percent-escapes in place: `/tasks/%61bc` is `/tasks/abc` (RFC 3986 §6.2.2.2),
        // and a client's non-ASCII id arrives escaped.
        router.get("/tasks/{id}") { _, context in
            try await show(id: context.parameters.get("id")?.removingPercentEncoding ?? "")
        }
    }

    /// `POST /tasks` answered on the channel pipeline (``DirectRoute``): the API's hottest route.
    var directEnqueue: DirectRoute {
        DirectRoute(.post, "/tasks", maxBodyBytes: api.settings.maxBodyBytes) { request, body in
            await Reply.catching(logger: api.logger, path: "/tasks") {
                try await enqueue(idempotencyKey: request.header("Idempotency-Key"), body: body)
            }
        }
    }

    /// Validates, publishes a Celery v2 message (and its record), answers 201. With an
    /// `Idempotency-Key` already used: 200 and the first task for the same body, 409 otherwise.
    /// - Parameter idempotencyKey: the first `Idempotency-Key` header, as sent.
    func enqueue(idempotencyKey header: String?, body: ByteBuffer) async throws -> Reply {
        let key = try idempotencyKey(header)
        let input = try EnqueueRequest(json: try JSONBody.parse(body))
        let id = TaskID.random()
        let now = Date()
        let new = TaskMessage.NewTask(
            id: id, task: input.task, args: input.args, kwargs: input.kwargs, queue: input.queue,
            priority: input.priority, origin: api.origin, replyTo: api.producerID, deliveryTag: TaskID.random())
        let record = TaskRecord(
            id: id, task: input.task, state: .pending, args: input.args, kwargs: input.kwargs, queue: input.queue,
            createdAt: now)
        let idempotency = key.map { Broker.Idempotency(key: $0, canonicalRequest: input.canonicalJSON) }
        let outcome = try await api.broker.publish(
            envelope: TaskMessage.envelope(new), queue: input.queue, priority: input.priority, record: record,
            idempotency: idempotency)
        switch outcome {
        case .published:
            if api.settings.historyPending {
                api.history.record(HistoryEntry(enqueued: record, at: now, argsrepr: new.argsrepr, kwargsrepr: new.kwargsrepr))
            }
            return created(id: id, state: .pending, status: .created)
        case .duplicate(let original):
            let state = try await api.tasks.fetch(id: original)?.state ?? .pending
            return created(id: original, state: state, status: .ok)
        case .conflict(let original):
            throw Problem(
                status: 409, title: "Conflict",
                detail: "Idempotency-Key was already used for a different request (task \(original))",
                type: "/problems/idempotency-conflict")
        }
    }

    private func created(id: String, state: TaskState, status: HTTPResponse.Status) -> Reply {
        // Ids are UUIDs (ours) or what a Celery client chose; the writer escapes them.
        var writer = JSONWriter()
        writer.raw(#"{"id": "#)
        writer.writeString(id)
        writer.raw(#", "state": "#)
        writer.writeString(state.rawValue)
        writer.raw(#", "links": {"self": "#)
        writer.writeString("/tasks/\(id)")
        writer.raw("}}")
        var headers = HTTPFields()
        headers[.location] = "/tasks/\(id)"
        return .json(writer.output, status: status, headers: headers)
    }

    /// The `Idempotency-Key` header: 1–255 visible ASCII characters.
    private func idempotencyKey(_ header: String?) throws -> String? {
        guard let value = header else { return nil }
        guard (1...255).contains(value.utf8.count), value.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw Problem.badRequest("Idempotency-Key must be 1–255 visible ASCII characters")
        }
        return value
    }

    /// The task's record from Redis (merged with Celery's result key), else from history.
    func show(id: String) async throws -> Response {
        // What a report or a Celery message may carry: 1–255 characters, no control characters.
        guard !id.isEmpty, Names.fits(id, in: Names.maxTaskID),
            !id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw Problem.notFound("no task with id \(id.prefix(64))")
        }
        if let record = try await api.tasks.fetch(id: id) {
            return .json(record.json())
        }
        do {
            if let record = try await api.historyReader.fetch(taskID: id) { return .json(record.json()) }
        } catch {
            api.logger.warning("history lookup failed", metadata: ["error": "\(error)"])
        }
        throw Problem.notFound("no task with id \(id)")
    }
}
