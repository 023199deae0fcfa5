// Celeriac — a Celery-compatible job service in Swift.

extension Migration {
    /// What `GET /tasks` needs beside django-celery-results' table, whose columns stay as
    /// Django made them (DESIGN §5):
    /// - `celeriac_taskresult_queue`: the queue of each history row (Django has no column for
    ///   it), keyed by task id, with the row's id and `date_created` (never changed after
    ///   insert) so a queue's page is one index range. No foreign key to Django's table:
    ///   Django's `flush` truncates its tables without `CASCADE`, which a reference from ours
    ///   would make fail. Joins match both id and task id, so a row Django deleted (or a
    ///   restarted id sequence) never lends its queue to another; retention removes orphans.
    /// - indexes in the list's order, `(date_created, id)`, behind each filter: a page at any
    ///   depth is an index range scan of `limit` rows, not a sort, at a million rows. Extra
    ///   indexes on Django's table change no column; their names carry our prefix.
    static let taskList = Migration(version: 2, name: "task_list", sql: """
        CREATE TABLE IF NOT EXISTS celeriac_taskresult_queue (
            task_id character varying(255) PRIMARY KEY,
            result_id integer NOT NULL,
            queue character varying(200) NOT NULL,
            date_created timestamp with time zone NOT NULL
        );
        CREATE INDEX IF NOT EXISTS celeriac_taskresult_queue_list_idx
            ON celeriac_taskresult_queue (queue, date_created, result_id);
        CREATE INDEX IF NOT EXISTS celeriac_taskresult_list_idx
            ON django_celery_results_taskresult (date_created, id);
        CREATE INDEX IF NOT EXISTS celeriac_taskresult_status_list_idx
            ON django_celery_results_taskresult (status, date_created, id);
        CREATE INDEX IF NOT EXISTS celeriac_taskresult_task_list_idx
            ON django_celery_results_taskresult (task_name, date_created, id);
        CREATE INDEX IF NOT EXISTS celeriac_taskresult_worker_list_idx
            ON django_celery_results_taskresult (worker, date_created, id);
        """)
}
