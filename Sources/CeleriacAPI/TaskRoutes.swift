// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTPServer
import CeleriacPostgres
import CeleriacRedis
import CeleriacSystem
import Foundation
import Hummingbird
import Logging

/// `POST /tasks` and `GET /tasks/{id}` (with `?wait=` long-polling): decode, call the
/// publisher or the stores, render.
struct TaskRoutes: Sendable {
    let api: APIContext
    /// What enqueueing needs, on the router and on the direct path alike.
    static let enqueueAccess = RouteAccess.scope(.submit)

    func register(on routes: RouteTable) {
        // Served by `directEnqueue` on the channel; the router's copy answers what that steps
        // aside for (a request pipelined behind a router request, `/tasks/` spellings).
        routes.add(.post, "/tasks", access: Self.enqueueAccess) { request, _ in
            try await enqueue(headers: request, body: request.bodyBytes(limit: api.settings.maxBodyBytes)).response
        }
        // The router leaves percent-escapes in place: `/tasks/%61bc` is `/tasks/abc` (RFC 3986 §6.2.2.2),
        // and a client's non-ASCII id arrives escaped.
        routes.add(.get, "/tasks/{id}", access: .scope(.read)) { request, context in
            try await show(
                id: context.parameters.get("id")?.removingPercentEncoding ?? "",
                wait: Self.waitSeconds(request.uri.queryParameters["wait"].map(String.init)))
        }
    }

    /// `POST /tasks` answered on the channel pipeline (``DirectRoute``): the API's hottest
    /// route. It is outside the router, so it calls the same authorizer itself.
    var directEnqueue: DirectRoute {
        DirectRoute(.post, "/tasks", maxBodyBytes: api.settings.maxBodyBytes) { request, body in
            await Reply.catching(logger: api.logger, path: "/tasks") {
                _ = try api.authorizer.authorize(
                    authorization: request.header("Authorization"), for: Self.enqueueAccess, address: request.remoteAddress)
                return try await enqueue(headers: request, body: body)
            }
        }
    }

    /// Validates, publishes (``TaskPublisher``), answers 201. With an `Idempotency-Key`
    /// already used: 200 and the first task for the same body, 409 otherwise.
    func enqueue(headers: some HeaderFields, body: ByteBuffer) async throws -> Reply {
        let key = try Self.idempotencyKey(headers.first("Idempotency-Key"))
        let input = try EnqueueRequest(json: try JSONBody.parse(body, limits: api.settings.limits.json))
        // The body bounds the arguments: only a body over the limit needs them measured.
        if body.readableBytes > api.settings.limits.maxArgumentsBytes {
            try input.checkArgumentsSize(limit: api.settings.limits.maxArgumentsBytes)
        }
        let published = try await api.publisher.publish(try await publisherRequest(input, idempotencyKey: key))
        switch published.outcome {
        case .published, .parked:
            return created(id: published.id, state: .pending, status: .created)
        case .duplicate:
            let state = try await api.tasks.fetch(id: published.id)?.state ?? .pending
            return created(id: published.id, state: state, status: .ok)
        case .conflict:
            throw DomainError(
                .conflict, operation: "enqueue",
                "Idempotency-Key was already used for a different request (task \(published.id))",
                reason: "idempotency-conflict")
        }
    }

    /// What the publisher gets for a checked body: the task name known (or allowed), its
    /// arguments checked against the job's schema, the job's limits and retry policy where the
    /// request set none. `POST /tasks` and each entry of `POST /tasks/batch` come through here.
    func publisherRequest(_ input: EnqueueRequest, idempotencyKey key: String?) async throws -> TaskPublisher.Request {
        let spec = try await api.knownTasks.check(input.task, args: input.args, kwargs: input.kwargs)
        let options = input.options(now: api.clock.now)
        return TaskPublisher.Request(
            task: input.task, args: input.args, kwargs: input.kwargs, options: spec?.defaults(for: options) ?? options,
            idempotency: key.map { Broker.Idempotency(key: $0, canonicalRequest: input.canonicalJSON) })
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

    /// The `Idempotency-Key` header: 1–255 visible ASCII characters, or nil when absent.
    static func idempotencyKey(_ header: String?) throws(DomainError) -> String? {
        guard let value = header else { return nil }
        guard (1...255).contains(value.utf8.count), value.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw .malformed("enqueue", "Idempotency-Key must be 1–255 visible ASCII characters")
        }
        return value
    }

    /// The task's record from Redis (merged with Celery's result key), else from history.
    /// With `wait` seconds, answers as soon as the task is final, or after the wait with its
    /// state then (``ResultWaiters``); an unknown task is a 404 at once.
    func show(id: String, wait: Double? = nil) async throws -> Response {
        try Self.checkID(id, operation: "tasks.show")
        guard let found = try await find(id: id) else {
            throw DomainError(.notFound, operation: "tasks.show", "no task with id \(id)")
        }
        guard let wait, wait > 0, !found.state.isFinal else { return .json(found.json()) }
        let deadline = api.clock.now.addingTimeInterval(min(wait, Double(api.settings.longPollMaxSeconds)))
        let record = try await api.waiters.wait(for: id, until: deadline, read: { try await find(id: id) }, isFinal: \.state.isFinal)
        return .json((record ?? found).json())
    }

    /// The record from Redis, else from history; nil when neither knows the task.
    func find(id: String) async throws -> TaskRecord? {
        if let record = try await api.tasks.fetch(id: id) { return record }
        do {
            return try await api.historyReader.fetch(taskID: id)
        } catch {
            api.logger.warning("history lookup failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// A task id as a report or a Celery message may carry it (1–255 characters, no control
    /// characters); anything else names no task.
    static func checkID(_ id: String, operation: String) throws(DomainError) {
        guard !id.isEmpty, Names.fits(id, in: Names.maxTaskID),
            !id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw DomainError(.notFound, operation: operation, "no task with id \(id.prefix(64))")
        }
    }

    /// `?wait=`: seconds from 0 to ``ResultWaiters/maxWait``; nil when absent.
    static func waitSeconds(_ value: String?) throws(DomainError) -> Double? {
        guard let value else { return nil }
        guard let seconds = Double(value), seconds.isFinite, (0...ResultWaiters.maxWait).contains(seconds) else {
            throw .invalid(
                "tasks.show", [.init(parameter: "wait", detail: "expected seconds from 0 to \(Int(ResultWaiters.maxWait))")])
        }
        return seconds
    }
}
