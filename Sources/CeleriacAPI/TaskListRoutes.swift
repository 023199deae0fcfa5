// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTPServer
import CeleriacPostgres
import Hummingbird

/// `GET /tasks`: the task history in PostgreSQL, filtered, newest first, in keyset pages
/// (``HistoryRepository/list(_:)``).
struct TaskListRoutes: Sendable {
    let api: APIContext

    func register(on routes: RouteTable) {
        routes.add(.get, "/tasks", access: .scope(.read)) { request, _ in
            try await list(query: request.uri.query)
        }
    }

    /// Validates the query (422 naming each bad parameter), reads one page, renders
    /// `{"items": [task, ...], "next_cursor": "..." | null}`.
    func list(query text: String?) async throws -> Response {
        let query = try TaskListQuery(query: text)
        guard api.migrations.isDone else {
            throw DomainError(
                .unavailable, operation: "tasks.list",
                "the task history (PostgreSQL) is unreachable or still being migrated; retry shortly")
        }
        let page: HistoryRepository.Page
        do {
            page = try await api.historyReader.list(query)
        } catch PostgresError.query(sqlState: Self.queryCanceled, message: _) {
            throw DomainError(.unavailable, operation: "tasks.list", "the task history query timed out; retry shortly")
        }
        return .json(Self.json(page))
    }

    /// SQLSTATE `query_canceled` (the statement timeout).
    static let queryCanceled = "57014"

    static func json(_ page: HistoryRepository.Page) -> String {
        var writer = JSONWriter()
        writer.raw(#"{"items": ["#)
        for (index, record) in page.records.enumerated() {
            if index > 0 { writer.raw(", ") }
            writer.raw(Array(record.json().utf8))
        }
        writer.raw(#"], "next_cursor": "#)
        if let next = page.next {
            writer.writeString(next.encoded)
        } else {
            writer.raw("null")
        }
        writer.raw("}")
        return writer.output
    }
}
