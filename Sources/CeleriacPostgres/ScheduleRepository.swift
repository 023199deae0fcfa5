// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The four schedule tables of django-celery-beat: rows any writer (our API, the Django
/// admin) may share. Every write bumps `last_update` in the same transaction.
public struct ScheduleRepository: Sendable {
    public let client: PostgresClient

    public init(client: PostgresClient) { self.client = client }

    public func list(_ kind: ScheduleKind, limit: Int, offset: Int) async throws -> (rows: [ScheduleRow], count: Int) {
        try await client.withTransaction { transaction in
            let table = ScheduleTables.table(kind)
            let count = try transaction.query("SELECT count(*) FROM \(table)").rows[0].decode(0, as: Int.self)
            let rows = try transaction.query(
                "SELECT s.id, \(ScheduleTables.selectList(kind, alias: "s")) FROM \(table) s ORDER BY s.id LIMIT $1 OFFSET $2",
                [String(limit), String(offset)])
            return (try rows.rows.compactMap { row in try Self.row(kind, row) }, count)
        }
    }

    public func get(_ kind: ScheduleKind, id: Int) async throws -> ScheduleRow? {
        try await client.withTransaction { transaction in try Self.get(kind, id: id, in: transaction) }
    }

    static func get(_ kind: ScheduleKind, id: Int, in transaction: PGTransaction) throws -> ScheduleRow? {
        let rows = try transaction.query(
            "SELECT s.id, \(ScheduleTables.selectList(kind, alias: "s")) FROM \(ScheduleTables.table(kind)) s WHERE s.id = $1",
            [String(id)])
        return try rows.rows.first.flatMap { try row(kind, $0) }
    }

    private static func row(_ kind: ScheduleKind, _ row: PGRow) throws -> ScheduleRow? {
        guard let value = ScheduleTables.value(kind, from: row, at: 1) else { return nil }
        return ScheduleRow(id: try row.decode(0, as: Int.self), value: value)
    }

    public func create(_ value: ScheduleValue, now: Date) async throws -> ScheduleRow {
        try await client.withTransaction { transaction in
            let id = try Self.insert(value, in: transaction)
            try Self.bump(now, in: transaction)
            return ScheduleRow(id: id, value: value)
        }
    }

    /// The id of a row with exactly these values, made if there is none (the admin's
    /// `get_or_create`; crontab, interval and clocked rows may repeat, solar ones may not).
    static func findOrInsert(_ value: ScheduleValue, in transaction: PGTransaction) throws -> Int {
        let kind = value.kind
        let casts = ScheduleTables.casts(kind)
        let matches = ScheduleTables.columns(kind).enumerated().map { index, column in "\(column) = $\(index + 1)\(casts[index])" }
        let found = try transaction.query(
            "SELECT id FROM \(ScheduleTables.table(kind)) WHERE \(matches.joined(separator: " AND ")) ORDER BY id LIMIT 1",
            ScheduleTables.parameters(value))
        if let id = try found.rows.first?.decode(0, as: Int.self) { return id }
        return try insert(value, in: transaction)
    }

    static func insert(_ value: ScheduleValue, in transaction: PGTransaction) throws -> Int {
        let kind = value.kind
        let casts = ScheduleTables.casts(kind)
        let placeholders = casts.enumerated().map { "$\($0.offset + 1)\($0.element)" }.joined(separator: ", ")
        do {
            let rows = try transaction.query(
                "INSERT INTO \(ScheduleTables.table(kind)) (\(ScheduleTables.columns(kind).joined(separator: ", "))) VALUES (\(placeholders)) RETURNING id",
                ScheduleTables.parameters(value))
            return try rows.rows[0].decode(0, as: Int.self)
        } catch PostgresError.query(sqlState: HistoryRepository.uniqueViolation, message: _) {
            throw DomainError(
                .conflict, operation: "schedules",
                "Solar event with this Solar event, Latitude and Longitude already exists.", reason: "duplicate-solar")
        }
    }

    public func update(_ kind: ScheduleKind, id: Int, to value: ScheduleValue, now: Date) async throws -> ScheduleRow? {
        try await client.withTransaction { transaction in
            let casts = ScheduleTables.casts(kind)
            let assignments = ScheduleTables.columns(kind).enumerated().map { "\($0.element) = $\($0.offset + 2)\(casts[$0.offset])" }
            let updated: PGRows
            do {
                updated = try transaction.query(
                    "UPDATE \(ScheduleTables.table(kind)) SET \(assignments.joined(separator: ", ")) WHERE id = $1",
                    [String(id)] + ScheduleTables.parameters(value))
            } catch PostgresError.query(sqlState: HistoryRepository.uniqueViolation, message: _) {
                throw DomainError(
                    .conflict, operation: "schedules",
                    "Solar event with this Solar event, Latitude and Longitude already exists.", reason: "duplicate-solar")
            }
            guard updated.affected == 1 else { return nil }
            try Self.bump(now, in: transaction)
            return ScheduleRow(id: id, value: value)
        }
    }

    /// Deletes the row and, as Django's ORM cascade does, the periodic tasks using it.
    /// - Returns: nil when there is no such row, else how many tasks went with it.
    public func delete(_ kind: ScheduleKind, id: Int, now: Date) async throws -> Int? {
        try await client.withTransaction { transaction in
            _ = try transaction.query("""
                DELETE FROM celeriac_periodic_task_run WHERE periodic_task_id IN
                    (SELECT id FROM django_celery_beat_periodictask WHERE \(kind.rawValue)_id = $1::integer)
                """, [String(id)])
            let tasks = try transaction.query(
                "DELETE FROM django_celery_beat_periodictask WHERE \(kind.rawValue)_id = $1", [String(id)]).affected
            let deleted = try transaction.query("DELETE FROM \(ScheduleTables.table(kind)) WHERE id = $1", [String(id)]).affected
            guard deleted == 1 else { return nil }
            try Self.bump(now, in: transaction)
            return tasks
        }
    }

    static func bump(_ now: Date, in transaction: PGTransaction) throws {
        _ = try transaction.query(ScheduleTables.bumpLastUpdate, [CeleryTime.format(now)])
    }
}
