// Celeriac — a Celery-compatible job service in Swift.

import CeleriacPostgres

/// Reads django-celery-results rows the API wrote.
struct PostgresHelper {
    let client: PostgresClient
    init(url: String) { client = PostgresClient(url: url, size: 1) }

    func status(of id: String) async throws -> String? {
        try await client.query("SELECT status FROM django_celery_results_taskresult WHERE task_id = $1", [id])
            .values.first?.first ?? nil
    }
}
