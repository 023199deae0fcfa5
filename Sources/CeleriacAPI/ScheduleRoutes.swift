// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTPServer
import CeleriacPostgres
import CeleriacSystem
import Foundation
import Hummingbird

/// `/crontab-schedules`, `/interval-schedules`, `/clocked-schedules`, `/solar-schedules`:
/// django-celery-beat's schedule rows, full CRUD each. Deleting one deletes the periodic
/// tasks that use it, as Django's ORM cascade does.
struct ScheduleRoutes: Sendable {
    let api: APIContext
    var schedules: ScheduleRepository { ScheduleRepository(client: api.postgres) }
    static let operation = "schedules"

    func register(on routes: RouteTable) {
        for kind in ScheduleKind.allCases {
            let path = "/\(kind.rawValue)-schedules"
            routes.add(.get, path, access: .scope(.read)) { request, _ in
                let page = try Page(query: request.uri.query)
                try await PeriodicTaskRoutes(api: api).requireSchema()
                let (rows, count) = try await schedules.list(kind, limit: page.limit, offset: page.offset)
                var writer = JSONWriter(keyOrder: ["items", "count"] + PeriodicTask.keyOrder)
                writer.write(.object(["items": .array(rows.map { .object(render($0)) }), "count": .int(Int64(count))]))
                return .json(writer.output)
            }
            routes.add(.post, path, access: .scope(.admin)) { request, _ in
                let value = try Self.value(kind, try await api.json(request))
                try await PeriodicTaskRoutes(api: api).requireSchema()
                let row = try await schedules.create(value, now: api.clock.now)
                var headers = HTTPFields()
                headers[.location] = "\(path)/\(row.id)"
                return .json(text(row), status: .created, headers: headers)
            }
            routes.add(.get, "\(path)/{id}", access: .scope(.read)) { _, context in
                let id = try Self.id(context, kind)
                try await PeriodicTaskRoutes(api: api).requireSchema()
                guard let row = try await schedules.get(kind, id: id) else { throw Self.notFound(kind, id) }
                return .json(text(row))
            }
            for method in [HTTPRequest.Method.put, .patch] {
                routes.add(method, "\(path)/{id}", access: .scope(.admin)) { request, context in
                    let id = try Self.id(context, kind)
                    var body = try await api.json(request)
                    try await PeriodicTaskRoutes(api: api).requireSchema()
                    if method == .patch {
                        guard let stored = try await schedules.get(kind, id: id) else { throw Self.notFound(kind, id) }
                        guard case .object(let changes) = body else {
                            throw DomainError.invalid(Self.operation, [.init(pointer: "", detail: "expected object, got \(body.kindName)")])
                        }
                        body = .object(stored.value.fieldsJSON.merging(changes) { _, new in new })
                    }
                    let value = try Self.value(kind, body)
                    guard let row = try await schedules.update(kind, id: id, to: value, now: api.clock.now) else {
                        throw Self.notFound(kind, id)
                    }
                    return .json(text(row))
                }
            }
            routes.add(.delete, "\(path)/{id}", access: .scope(.admin)) { _, context in
                let id = try Self.id(context, kind)
                try await PeriodicTaskRoutes(api: api).requireSchema()
                guard try await schedules.delete(kind, id: id, now: api.clock.now) != nil else { throw Self.notFound(kind, id) }
                return Response(status: .noContent)
            }
        }
    }

    /// The row with its description and next fire times.
    private func render(_ row: ScheduleRow) -> [String: JSONValue] {
        var object = row.json.objectValue ?? [:]
        object.merge(Self.computed(row.value, now: api.clock.now)) { _, new in new }
        return object
    }

    private func text(_ row: ScheduleRow) -> String {
        var writer = JSONWriter(keyOrder: PeriodicTask.keyOrder)
        writer.write(.object(render(row)))
        return writer.output
    }

    /// `schedule_description` and `next_runs` of a schedule: the next five fire times after
    /// `now` (for a task, when beat will send it: ``BeatPlan/upcomingFires(_:_:count:now:)``),
    /// a crontab's in its zone. A row the math cannot read (written by hand) gets neither.
    static func computed(_ value: ScheduleValue?, task: PeriodicTask? = nil, now: Date) -> [String: JSONValue] {
        guard let value, let schedule = try? FireSchedule(value) else {
            return ["schedule_description": .null, "next_runs": .array([])]
        }
        let zone: TimeZone? = if case .crontab(let crontab) = value { TimeZone(identifier: crontab.timezone) } else { nil }
        let fires = task.map { BeatPlan.upcomingFires($0, schedule, count: 5, now: now) } ?? schedule.upcomingFires(count: 5, now: now)
        let runs = fires.map { date in
            JSONValue.string(CeleryTime.format(date, offsetSeconds: zone?.secondsFromGMT(for: date) ?? 0))
        }
        return ["schedule_description": .string(schedule.description), "next_runs": .array(runs)]
    }

    static func value(_ kind: ScheduleKind, _ body: JSONValue) throws -> ScheduleValue {
        var errors: [DomainError.FieldError] = []
        guard let value = ScheduleValue.parse(kind, body, at: "", errors: &errors) else {
            throw DomainError.invalid(operation, errors)
        }
        return value
    }

    static func id(_ context: APIRequestContext, _ kind: ScheduleKind) throws -> Int {
        guard let text = context.parameters.get("id"), let id = Int(text), id >= 1, id <= Int(Int32.max) else {
            throw DomainError(.notFound, operation: operation, "no \(kind.rawValue) schedule with id \(context.parameters.get("id")?.prefix(64) ?? "")")
        }
        return id
    }

    static func notFound(_ kind: ScheduleKind, _ id: Int) -> DomainError {
        DomainError(.notFound, operation: operation, "no \(kind.rawValue) schedule with id \(id)")
    }
}

/// `limit` (1–500, default 100) and `offset` of a list.
struct Page {
    var limit = 100
    var offset = 0

    init(query: String?) throws {
        var errors: [DomainError.FieldError] = []
        for (name, value) in try QueryString.parse(query) {
            switch name {
            case "limit":
                if let number = Int(value), (1...500).contains(number) { limit = number } else {
                    errors.append(.init(parameter: "limit", detail: "expected an integer from 1 to 500"))
                }
            case "offset":
                if let number = Int(value), number >= 0, number <= Int(Int32.max) { offset = number } else {
                    errors.append(.init(parameter: "offset", detail: "expected an integer from 0"))
                }
            default:
                errors.append(.init(parameter: String(name.prefix(64)), detail: "unknown parameter"))
            }
        }
        guard errors.isEmpty else { throw DomainError.invalid("schedules", errors) }
    }
}
