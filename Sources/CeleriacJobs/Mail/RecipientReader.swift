// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacPostgres
import CeleriacSystem

/// One person a mail goes to: the address and the `recipient` object templates see
/// (`email`, `name` and a source's extra columns).
struct Recipient: Sendable {
    var address: MailAddress
    var variables: [String: JSONValue]

    init(_ address: MailAddress, extra: [String: JSONValue] = [:]) {
        self.address = address
        variables = extra.merging(["email": .string(address.address), "name": address.name.map(JSONValue.string) ?? .null]) { $1 }
    }
}

/// Pages through a configured recipient source (``RecipientSource``) in address order,
/// through ``DatabaseClients``.
final class RecipientReader: Sendable {
    private let source: RecipientSource
    private let database: PostgresClient
    private let after = Locked<String?>(nil)

    init(source: RecipientSource, databaseURL: String) {
        self.source = source
        database = DatabaseClients.client(url: databaseURL, name: "pg-jobs")
    }

    /// Distinct addresses the source holds now.
    func count() async throws -> Int {
        let (sql, params) = source.countQuery
        return try await Self.read { try await self.database.query(sql, params).rows.first?.decode(0, as: Int.self) ?? 0 }
    }

    /// The next `limit` recipients, or none at the end. A row whose address is not usable is
    /// given back with its problem, for the result's `failed` list.
    func next(_ limit: Int) async throws -> [Result<Recipient, RecipientProblem>] {
        let (sql, params) = source.pageQuery(after: after.withLock { $0 }, limit: limit)
        let rows = try await Self.read { try await self.database.query(sql, params).values }
        guard let last = rows.last?.first ?? nil else { return [] }
        after.withLock { $0 = last }
        return rows.map { row in
            let email = row[0] ?? ""
            var extra: [String: JSONValue] = [:]
            for (index, column) in source.variables.enumerated() {
                extra[column] = row[2 + index].map(JSONValue.string) ?? .null
            }
            do {
                return .success(Recipient(try MailAddress(name: row[1], address: email), extra: extra))
            } catch {
                return .failure(RecipientProblem(address: email, error: (error as? DomainError)?.fields.first?.detail ?? "not an email address"))
            }
        }
    }

    /// A database that cannot be reached is a reason to try again later; a query it refuses
    /// (a column the configuration names wrongly) is not.
    private static func read<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as PostgresError {
            guard error.isRefusedStatement else { throw JobRetry(reason: "recipient source: \(error)") }
            throw JobFailure(type: "ProgrammingError", module: "celeriac.jobs", message: "recipient source: \(error)", retryable: false)
        }
    }
}

/// A recipient that could not be mailed, as the result lists it.
struct RecipientProblem: Error, Sendable {
    var address: String
    var error: String

    var json: JSONValue { .object(["to": .string(address), "error": .string(error)]) }
}
