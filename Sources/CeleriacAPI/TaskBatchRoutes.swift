// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTPServer
import CeleriacRedis
import Hummingbird

/// `POST /tasks/batch`: many tasks in one request, published in one Redis round trip. Each
/// entry is what `POST /tasks` takes (plus an optional `idempotency_key`); the answer lists,
/// in order, each entry's task or its problem. Valid entries are enqueued even when others
/// are not; when none is valid, the whole request is a 422.
struct TaskBatchRoutes: Sendable {
    let api: APIContext

    func register(on routes: RouteTable) {
        routes.add(.post, "/tasks/batch", access: TaskRoutes.enqueueAccess) { request, _ in
            let body = try await request.bodyBytes(limit: api.settings.batchMaxBytes)
            return try await enqueue(JSONBody.parse(body, limits: api.settings.limits.json))
        }
    }

    /// What became of one entry.
    enum Entry {
        /// The `request`-th valid entry, at `position` in the batch.
        case task(request: Int, position: Int)
        case problem(DomainError)
    }

    func enqueue(_ json: JSONValue) async throws -> Response {
        guard case .object(let body) = json, body.keys.allSatisfy({ $0 == "tasks" }), case .array(let entries)? = body["tasks"] else {
            throw DomainError.invalid("enqueue.batch", [.init(pointer: "/tasks", detail: "expected {\"tasks\": [ … ]}, a list of POST /tasks bodies")])
        }
        let limit = api.settings.batchMaxTasks
        guard entries.count <= limit else {
            throw DomainError(
                .tooLarge, operation: "enqueue.batch", "a batch holds at most \(limit) tasks (CELERIAC_MAX_BATCH); this one has \(entries.count)",
                fields: [.init(pointer: "/tasks", detail: "at most \(limit) tasks")], reason: "batch-too-large")
        }
        guard !entries.isEmpty else {
            throw DomainError.invalid("enqueue.batch", [.init(pointer: "/tasks", detail: "expected at least one task")])
        }
        var results: [Entry] = []
        var requests: [TaskPublisher.Request] = []
        for (index, entry) in entries.enumerated() {
            do {
                requests.append(try await request(entry))
                results.append(.task(request: requests.count - 1, position: index))
            } catch let error as DomainError where error.code == .invalid || error.code == .tooLarge {
                results.append(.problem(Self.relocated(error, under: "/tasks/\(index)")))
            }
        }
        guard !requests.isEmpty else {
            throw DomainError.invalid("enqueue.batch", results.flatMap { entry -> [DomainError.FieldError] in
                if case .problem(let error) = entry { return error.fields }
                return []
            })
        }
        let published = try await api.publisher.publishBatch(requests)
        var items: [JSONValue] = []
        var enqueued = 0
        for entry in results {
            switch entry {
            case .problem(let error):
                items.append(Self.problem(error))
            case .task(let request, let position):
                let outcome = published[request]
                switch outcome.outcome {
                case .published, .parked:
                    enqueued += 1
                    items.append(Self.task(id: outcome.id, state: .pending, status: 201))
                case .duplicate:
                    let state = try await api.tasks.fetch(id: outcome.id)?.state ?? .pending
                    items.append(Self.task(id: outcome.id, state: state, status: 200))
                case .conflict:
                    items.append(Self.problem(DomainError(
                        .conflict, operation: "enqueue",
                        "idempotency_key was already used for a different request (task \(outcome.id))",
                        fields: [.init(pointer: "/tasks/\(position)/idempotency_key", detail: "used for a different request")],
                        reason: "idempotency-conflict")))
                }
            }
        }
        let failed = items.count - items.filter { $0["id"] != nil }.count
        var writer = JSONWriter(keyOrder: ["tasks", "enqueued", "failed", "id", "state", "status", "links", "self", "type", "title", "detail", "errors", "pointer"])
        writer.write(.object(["tasks": .array(items), "enqueued": .int(Int64(enqueued)), "failed": .int(Int64(failed))]))
        return .json(writer.output, status: .created)
    }

    /// One entry as a publisher request: `POST /tasks`'s checks, its `idempotency_key` taken out.
    private func request(_ entry: JSONValue) async throws -> TaskPublisher.Request {
        var fields = entry.objectValue ?? [:]
        let key = try fields.removeValue(forKey: "idempotency_key").map { value throws(DomainError) in
            guard let text = value.stringValue, (try? TaskRoutes.idempotencyKey(text)) != nil else {
                throw DomainError.invalid("enqueue", [.init(pointer: "/idempotency_key", detail: "1–255 visible ASCII characters")])
            }
            return text
        }
        let input = try EnqueueRequest(json: entry.objectValue == nil ? entry : .object(fields))
        try input.checkArgumentsSize(limit: api.settings.limits.maxArgumentsBytes)
        return try await TaskRoutes(api: api).publisherRequest(input, idempotencyKey: key)
    }

    /// `error` with each pointer placed under the entry's (`/task` → `/tasks/3/task`).
    static func relocated(_ error: DomainError, under prefix: String) -> DomainError {
        var moved = error
        moved.fields = error.fields.map { field in
            var field = field
            if field.parameter == nil { field.pointer = prefix + field.pointer }
            return field
        }
        if moved.fields.isEmpty { moved.fields = [.init(pointer: prefix, detail: error.message)] }
        moved.message = moved.fields.map { "\($0.pointer): \($0.detail)" }.joined(separator: "; ")
        return moved
    }

    static func task(id: String, state: TaskState, status: Int) -> JSONValue {
        .object([
            "id": .string(id), "state": .string(state.rawValue), "status": .int(Int64(status)),
            "links": .object(["self": .string("/tasks/\(id)")]),
        ])
    }

    static func problem(_ error: DomainError) -> JSONValue {
        Problem(error).json
    }
}
