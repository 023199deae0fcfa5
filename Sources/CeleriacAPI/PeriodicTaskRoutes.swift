// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTPServer
import CeleriacPostgres
import CeleriacRedis
import CeleriacSystem
import Foundation
import Hummingbird

/// `/periodic-tasks`: django-celery-beat's `PeriodicTask` rows, as its admin shows and edits
/// them (filters, search, bulk actions, "run now").
struct PeriodicTaskRoutes: Sendable {
    let api: APIContext
    var tasks: PeriodicTaskRepository { PeriodicTaskRepository(client: api.postgres) }
    static let operation = "periodic-tasks"

    func register(on routes: RouteTable) {
        routes.add(.get, "/periodic-tasks", access: .scope(.read)) { request, _ in
            try await list(query: request.uri.query)
        }
        routes.add(.post, "/periodic-tasks", access: .scope(.admin)) { request, _ in
            let draft = try PeriodicTaskDraft(json: try await api.json(request))
            try await requireSchema()
            let task = try await tasks.create(draft, now: api.clock.now)
            var headers = HTTPFields()
            headers[.location] = "/periodic-tasks/\(task.id)"
            return .json(try await render(task), status: .created, headers: headers)
        }
        routes.add(.get, "/periodic-tasks/{id}", access: .scope(.read)) { _, context in
            try await requireSchema()
            let task = try await find(try Self.id(context))
            return .json(try await render(task))
        }
        routes.add(.put, "/periodic-tasks/{id}", access: .scope(.admin)) { request, context in
            let id = try Self.id(context)
            let draft = try PeriodicTaskDraft(json: try await api.json(request))
            return try await save(id: id, draft)
        }
        routes.add(.patch, "/periodic-tasks/{id}", access: .scope(.admin)) { request, context in
            let id = try Self.id(context)
            let patch = try await api.json(request)
            try await requireSchema()
            let stored = try await find(id)
            return try await save(id: id, try PeriodicTaskDraft(json: try PeriodicTaskDraft.merged(stored.json(), patch: patch)))
        }
        routes.add(.delete, "/periodic-tasks/{id}", access: .scope(.admin)) { _, context in
            let id = try Self.id(context)
            try await requireSchema()
            guard try await tasks.delete(id: id, now: api.clock.now) else { throw Self.notFound(id) }
            return Response(status: .noContent)
        }
        routes.add(.post, "/periodic-tasks/{id}/run", access: .scope(.admin)) { _, context in
            let id = try Self.id(context)
            try await requireSchema()
            let ran = try await run([try await find(id)])
            return .json(ran, status: .accepted)
        }
        routes.add(.post, "/periodic-tasks/actions/{action}", access: .scope(.admin)) { request, context in
            let action = context.parameters.get("action") ?? ""
            let ids = try Self.ids(in: try await api.json(request))
            try await requireSchema()
            if action == "run" { return .json(try await run(try await tasks.get(ids: ids)), status: .accepted) }
            guard let bulk = PeriodicTaskRepository.Action(rawValue: action) else {
                throw DomainError(.notFound, operation: Self.operation, "no action \(action.prefix(64)); actions: enable, disable, toggle, run")
            }
            let count = try await tasks.apply(bulk, ids: ids, now: api.clock.now)
            let verb = ["enable": "enabled", "disable": "disabled", "toggle": "toggled"][action] ?? action
            return .json(JSONValue.object([
                "count": .int(Int64(count)), "message": .string("\(count) task\(count == 1 ? " was" : "s were") successfully \(verb)"),
            ]).jsonText)
        }
    }

    /// The admin's changelist: filters, `search`, `ordering`, `limit`/`offset`.
    func list(query: String?) async throws -> Response {
        let filter = try Self.filter(query)
        try await requireSchema()
        let (found, count) = try await tasks.list(filter)
        var writer = JSONWriter(keyOrder: ["items", "count"] + PeriodicTask.keyOrder)
        writer.write(.object([
            "items": .array(found.map {
                $0.json(extra: ScheduleRoutes.computed($0.schedule?.value, task: $0, now: api.clock.now))
            }),
            "count": .int(Int64(count)),
        ]))
        return .json(writer.output)
    }

    static func filter(_ query: String?) throws -> PeriodicTaskRepository.Filter {
        var filter = PeriodicTaskRepository.Filter()
        var errors: [DomainError.FieldError] = []
        func bad(_ name: String, _ detail: String) { errors.append(.init(parameter: name, detail: detail)) }
        func flag(_ name: String, _ value: String) -> Bool? {
            switch value.lowercased() {
            case "true", "1", "yes": return true
            case "false", "0", "no": return false
            default: bad(name, "expected true or false"); return nil
            }
        }
        func instant(_ name: String, _ value: String) -> Date? {
            do { return try RFC3339.parse(value) } catch {
                bad(name, "expected an RFC 3339 time with offset")
                return nil
            }
        }
        for (name, value) in try QueryString.parse(query) {
            switch name {
            case "enabled": filter.enabled = flag(name, value)
            case "one_off": filter.oneOff = flag(name, value)
            case "task", "queue":
                // Code points, as JSON Schema's maxLength counts them.
                guard value.unicodeScalars.count <= 200 else {
                    bad(name, "longer than 200 characters")
                    continue
                }
                if name == "task" { filter.task = value } else { filter.queue = value }
            case "kind":
                if let kind = ScheduleKind(rawValue: value) { filter.kind = kind } else { bad(name, "expected crontab, interval, clocked or solar") }
            case "start_time_after": filter.startTimeAfter = instant(name, value)
            case "start_time_before": filter.startTimeBefore = instant(name, value)
            case "search":
                // Code points, as JSON Schema's maxLength counts them.
                guard value.unicodeScalars.count <= 200 else {
                    bad(name, "longer than 200 characters")
                    continue
                }
                filter.search = value.split(whereSeparator: \.isWhitespace).prefix(10).map(String.init)
            case "ordering":
                if let ordering = PeriodicTaskRepository.Ordering(rawValue: value) { filter.ordering = ordering } else {
                    bad(name, "expected one of \(PeriodicTaskRepository.Ordering.allCases.map(\.rawValue).joined(separator: ", "))")
                }
            case "limit":
                if let number = Int(value), (1...500).contains(number) { filter.limit = number } else { bad(name, "expected an integer from 1 to 500") }
            case "offset":
                if let number = Int(value), number >= 0, number <= Int(Int32.max) { filter.offset = number } else { bad(name, "expected an integer from 0") }
            default:
                bad(String(name.prefix(64)), "unknown parameter")
            }
        }
        guard errors.isEmpty else { throw DomainError.invalid(operation, errors) }
        return filter
    }

    private func save(id: Int, _ draft: PeriodicTaskDraft) async throws -> Response {
        try await requireSchema()
        guard let task = try await tasks.update(id: id, to: draft, now: api.clock.now) else { throw Self.notFound(id) }
        return .json(try await render(task))
    }

    func find(_ id: Int) async throws -> PeriodicTask {
        guard let task = try await tasks.get(id: id) else { throw Self.notFound(id) }
        return task
    }

    /// Sends each task now, as the admin's "Run selected tasks": its args, kwargs and queue,
    /// and the header `periodic_task_name`; its other options and run counts are left alone.
    private func run(_ selected: [PeriodicTask]) async throws -> String {
        var sent: [JSONValue] = []
        for task in selected {
            let (args, kwargs) = try task.arguments()
            let queue = task.queue ?? TaskOptions.defaultQueue
            if let problem = Names.checkQueueName(queue) {
                throw DomainError(.invalid, operation: Self.operation, "task \(task.name): queue \(queue.prefix(64)): \(problem)")
            }
            let published = try await api.publisher.publish(TaskPublisher.Request(
                task: task.task, args: args, kwargs: kwargs,
                options: TaskOptions(queue: queue, headers: ["periodic_task_name": .string(task.name)])))
            sent.append(.object(["periodic_task": .int(Int64(task.id)), "task_id": .string(published.id)]))
        }
        let count = sent.count
        return JSONValue.object([
            "count": .int(Int64(count)), "sent": .array(sent),
            "message": .string("\(count) task\(count == 1 ? " was" : "s were") successfully run"),
        ]).jsonText
    }

    /// One task as single-task answers show it: with its next runs and beat's last send.
    func render(_ task: PeriodicTask) async throws -> String {
        var writer = JSONWriter(keyOrder: PeriodicTask.keyOrder + ["task_id", "scheduled_for", "fired_at", "state"])
        var extra = ScheduleRoutes.computed(task.schedule?.value, task: task, now: api.clock.now)
        extra["last_run"] = try await lastRun(of: task.id)
        writer.write(task.json(extra: extra))
        return writer.output
    }

    /// Beat's last send of the task: its task id, the tick it stood for, when it was sent
    /// and the task's state now (null when the task's record and history row are both gone).
    private func lastRun(of id: Int) async throws -> JSONValue {
        guard let run = try await BeatRepository(client: api.postgres).lastRun(of: id) else { return nil }
        let state = try await TaskRoutes(api: api).find(id: run.taskID)?.state
        return .object([
            "task_id": .string(run.taskID), "scheduled_for": .string(CeleryTime.format(run.scheduledFor)),
            "fired_at": .string(CeleryTime.format(run.firedAt)), "state": state.map { .string($0.rawValue) } ?? nil,
        ])
    }

    /// PostgreSQL is migrated (schedules live nowhere else).
    func requireSchema() async throws {
        guard api.migrations.isDone else {
            throw DomainError(
                .unavailable, operation: Self.operation, "the schedule database (PostgreSQL) is unreachable or still being migrated")
        }
    }

    static func id(_ context: APIRequestContext) throws -> Int {
        guard let text = context.parameters.get("id"), let id = Int(text), id >= 1, id <= Int(Int32.max) else {
            throw DomainError(.notFound, operation: operation, "no periodic task with id \(context.parameters.get("id")?.prefix(64) ?? "")")
        }
        return id
    }

    static func notFound(_ id: Int) -> DomainError {
        DomainError(.notFound, operation: operation, "no periodic task with id \(id)")
    }

    /// `{"ids": [1, 2]}`: 1–1000 task ids.
    static func ids(in body: JSONValue) throws -> [Int] {
        guard let items = body["ids"]?.arrayValue else {
            throw DomainError.invalid(operation, [.init(pointer: "/ids", detail: "expected a list of periodic task ids")])
        }
        guard (1...1000).contains(items.count) else {
            throw DomainError.invalid(operation, [.init(pointer: "/ids", detail: "expected 1 to 1000 ids")])
        }
        var ids: [Int] = []
        for (index, item) in items.enumerated() {
            guard let id = item.intValue, id >= 1, id <= Int64(Int32.max) else {
                throw DomainError.invalid(operation, [.init(pointer: "/ids/\(index)", detail: "expected a periodic task id")])
            }
            ids.append(Int(id))
        }
        return ids
    }
}
