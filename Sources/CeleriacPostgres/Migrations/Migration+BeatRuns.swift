// Celeriac — a Celery-compatible job service in Swift.

extension Migration {
    /// `celeriac_periodic_task_run`: each periodic task's last send by beat (its task id, the
    /// tick it stood for, when it was sent), shown by `GET /periodic-tasks/{id}`; Django's
    /// table keeps only `last_run_at`. No foreign key, for the reason given at
    /// ``taskList``: deleting a task through our API deletes its row, and rows of tasks
    /// deleted elsewhere are never joined.
    static let beatRuns = Migration(version: 4, name: "beat_runs", sql: """
        CREATE TABLE IF NOT EXISTS celeriac_periodic_task_run (
            periodic_task_id integer PRIMARY KEY,
            task_id character varying(255) NOT NULL,
            scheduled_for timestamp with time zone NOT NULL,
            fired_at timestamp with time zone NOT NULL
        );
        """)
}
