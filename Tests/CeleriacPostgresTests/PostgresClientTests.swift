// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import Foundation
import TestSupport
import Testing

@testable import CeleriacPostgres

/// Transactions on one pooled connection, typed rows and statement timeouts, on a real
/// PostgreSQL (a fresh database per test).
@Suite(.enabled(if: TestServices.enabled, "needs the test PostgreSQL (make test)"))
struct PostgresClientTests {
    func client(statementTimeout: Duration? = .seconds(30)) async throws -> PostgresClient {
        let url = try await TestDatabase.create()
        // Set up under the default bound: a loaded test server can take a while to create it.
        try await PostgresClient(url: url, size: 1).query("CREATE TABLE t (id integer PRIMARY KEY, name text)")
        return PostgresClient(url: url, size: 2, statementTimeout: statementTimeout)
    }

    @Test func aTransactionCommitsAllOrNothing() async throws {
        let client = try await client()
        try await client.withTransaction { transaction in
            try transaction.query("INSERT INTO t VALUES (1, 'a')")
            try transaction.query("INSERT INTO t VALUES (2, $1)", ["b"])
        }
        struct Abandon: Error {}
        await #expect(throws: Abandon.self) {
            try await client.withTransaction { transaction in
                try transaction.query("INSERT INTO t VALUES (3, 'c')")
                throw Abandon()
            }
        }
        // A failing statement rolls back what came before it in the transaction.
        await #expect(throws: PostgresError.self) {
            try await client.withTransaction { transaction in
                try transaction.query("INSERT INTO t VALUES (4, 'd')")
                try transaction.query("INSERT INTO t VALUES (1, 'duplicate')")
            }
        }
        let ids = try await client.query("SELECT id FROM t ORDER BY id").rows.map { try $0.decode(0, as: Int.self) }
        #expect(ids == [1, 2])
        // Both pooled connections are still usable, outside any transaction.
        for _ in 0..<4 { #expect(try await client.query("SELECT 1").values == [["1"]]) }
    }

    @Test func rowsDecodeToTypes() async throws {
        let client = try await client()
        let row = try #require(try await client.query(
            "SELECT 42, 'text', true, NULL::text, '2026-12-04 14:42:14.5+00'::timestamptz, '{\"a\": [1]}'::jsonb, 1.5::float8"
        ).rows.first)
        #expect(try row.decode(0, as: Int.self) == 42)
        #expect(try row.decode(1, as: String.self) == "text")
        #expect(try row.decode(2, as: Bool.self) == true)
        #expect(try row.decodeIfPresent(3, as: String.self) == nil)
        #expect(try row.decode(4, as: Date.self) == Date(timeIntervalSince1970: 1_796_395_334.5))
        #expect(try row.decode(5, as: JSONValue.self) == ["a": [1]])
        #expect(try row.decode(6, as: Double.self) == 1.5)
        #expect(throws: PostgresError.self) { try row.decode(1, as: Int.self) }
        #expect(throws: PostgresError.self) { try row.decode(3, as: String.self) }
        #expect(throws: PostgresError.self) { try row.decode(9, as: String.self) }
    }

    @Test func statementsHaveATimeoutThatATransactionCanRaise() async throws {
        let client = try await client(statementTimeout: .seconds(1))
        await #expect {
            try await client.query("SELECT pg_sleep(3)")
        } throws: { error in
            if case .query(sqlState: "57014", _)? = error as? PostgresError { return true }  // query_canceled
            return false
        }
        // A long statement (a data load's batch) gets its own bound inside a transaction.
        _ = try await client.withTransaction(statementTimeout: .seconds(30)) { try $0.query("SELECT pg_sleep(1.5)") }
        // ...which ends with it: the session's bound is back.
        await #expect(throws: PostgresError.self) { try await client.query("SELECT pg_sleep(3)") }
    }

    /// The rank SQL uses to never roll a row back agrees with `TaskState.progress`, which the
    /// Lua report script receives from Swift.
    @Test func theSQLRankOfEveryStateIsItsProgress() async throws {
        let client = try await client()
        for state in TaskState.allCases {
            let rank = try await client.query("SELECT \(HistoryRepository.rank("$1::text"))", [state.rawValue])
            #expect(try rank.rows.first?.decode(0, as: Int.self) == state.rank, "\(state)")
        }
    }
}
