// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTP
import CeleriacPostgres
import CeleriacRedis
import Foundation
import TestSupport
import Testing

/// `/periodic-tasks` and the schedule routes against a real PostgreSQL: what the Django admin
/// does to django-celery-beat's rows, with its messages.
@Suite(.enabled(if: TestServices.enabled, "needs the test Redis and PostgreSQL (make test)"), .redisDatabase(21))
struct PeriodicTaskAPITests {
    static let weekly = #"""
        {"name": "weekly-load", "task": "loads.weekly", "crontab": {"minute": "30", "hour": "1", "day_of_week": "3",
         "timezone": "Asia/Seoul"}, "args": [1, 2], "kwargs": {"x": "y"}, "queue": "reports", "priority": 5}
        """#

    /// Waits for the API's migrations (the schedule tables) before the first schedule call.
    static func ready(_ stack: LiveStack) async throws {
        for _ in 0..<200 {
            if try await stack.request("GET", "/periodic-tasks").status == 200 { return }
            try await Task.sleep(for: .milliseconds(25))
        }
    }

    static func lastUpdate(_ pg: PostgresClient) async throws -> String? {
        try await pg.query("SELECT last_update::text FROM django_celery_beat_periodictasks WHERE ident = 1").values.first?.first ?? nil
    }

    @Test func aTaskCreatedWithAnInlineCrontabIsStoredAsDjangoStoresIt() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            try await Self.ready(stack)
            let pg = PostgresClient(url: stack.settings.databaseURL, size: 1)
            let created = try await stack.request("POST", "/periodic-tasks", body: Self.weekly)
            #expect(created.status == 201, "\(created.text)")
            let task = try stack.json(created)
            let id = try #require(task["id"]?.intValue)
            #expect(task["schedule_kind"] == "crontab")
            #expect(task["crontab"]?["timezone"] == "Asia/Seoul" && task["crontab"]?["day_of_month"] == "*")
            #expect(task["schedule_description"] == "At 01:30 on Wednesday (Asia/Seoul)")
            // The next five Wednesdays at 01:30 in Seoul, written in Seoul's offset, a week apart.
            let runs = (task["next_runs"]?.arrayValue ?? []).compactMap { $0.stringValue }
            #expect(runs.count == 5 && runs.allSatisfy { $0.hasSuffix("T01:30:00.000000+09:00") }, "\(runs)")
            let instants = runs.compactMap(CeleryTime.parse)
            #expect(zip(instants, instants.dropFirst()).allSatisfy { $1.timeIntervalSince($0) == 7 * 86_400 })
            var seoul = Calendar(identifier: .gregorian)
            seoul.timeZone = try #require(TimeZone(identifier: "Asia/Seoul"))
            #expect(instants.allSatisfy { seoul.component(.weekday, from: $0) == 4 } && instants.first.map { $0 > Date() } == true)
            #expect(task["args"] == [1, 2] && task["enabled"] == true && task["total_run_count"] == 0)
            #expect(task["headers"] == .object([:]) && task["description"] == "")
            // The row has every NOT NULL column Django would have written, and last_update moved.
            let row = try await pg.query(
                "SELECT args, kwargs, headers, description, enabled, one_off, total_run_count, queue, priority::text FROM django_celery_beat_periodictask WHERE id = $1",
                [String(id)]).values
            #expect(row == [["[1, 2]", #"{"x": "y"}"#, "{}", "", "t", "f", "0", "reports", "5"]])
            #expect(try await Self.lastUpdate(pg) != nil)
            // An identical schedule is reused, as the admin's get_or_create does.
            let second = try await stack.request(
                "POST", "/periodic-tasks", body: Self.weekly.replacing("weekly-load", with: "weekly-load-2"))
            #expect(try stack.json(second)["crontab"]?["id"] == task["crontab"]?["id"])
            #expect(try await pg.query("SELECT count(*) FROM django_celery_beat_crontabschedule").values == [["1"]])
            let fetched = try stack.json(try await stack.request("GET", "/periodic-tasks/\(id)"))
            #expect(fetched == task)
        }
    }

    @Test func everyModelRuleIsCheckedWithDjangosMessage() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            try await Self.ready(stack)
            func problem(_ body: String) async throws -> (Int, [String]) {
                let response = try await stack.request("POST", "/periodic-tasks", body: body)
                let errors = try stack.json(response)["errors"]?.arrayValue ?? []
                return (response.status, errors.map { "\($0["pointer"]?.stringValue ?? "") \($0["detail"]?.stringValue ?? "")" })
            }
            let cases: [(String, [String])] = [
                (#"{"name": "a", "task": "t"}"#, [" One of clocked, interval, crontab, or solar must be set."]),
                (#"{"name": "a", "task": "t", "interval": {"every": 1, "period": "days"}, "crontab": {}}"#,
                 ["/crontab Only one of clocked, interval, crontab, or solar must be set",
                  "/interval Only one of clocked, interval, crontab, or solar must be set"]),
                (#"{"name": "a", "task": "t", "clocked": {"clocked_time": "2030-01-02T03:04:05Z"}}"#,
                 ["/one_off clocked must be one off, one_off must set True"]),
                (#"{"name": "a", "task": "t", "interval_id": 999999}"#, ["/interval_id Invalid pk \"999999\" - object does not exist."]),
                (#"{"name": "a", "task": "t", "interval": {"every": 10, "period": "seconds"}, "expires": "2030-01-01T00:00:00Z", "expire_seconds": 30}"#,
                 ["/expire_seconds Only one can be set, in expires and expire_seconds"]),
                (#"{"name": "a", "task": "t", "interval": {"every": 0, "period": "weeks"}, "priority": 256}"#,
                 ["/interval/every Ensure this value is greater than or equal to 1.", "/interval/period Value 'weeks' is not a valid choice.",
                  "/priority Ensure this value is less than or equal to 255."]),
                (#"{"name": "a", "task": "t", "crontab": {"minute": "60", "hour": "17-8", "day_of_month": "L", "timezone": "Mars/Base"}}"#,
                 ["/crontab/minute '60', not in 0-59 for Minutes", "/crontab/hour Bad range '17-8'",
                  "/crontab/day_of_month \"No enumeration for Day of Month: 'L'\"", "/crontab/timezone Invalid timezone 'Mars/Base'"]),
                (#"{"name": "a", "task": "t", "crontab": {"minute": "*/0"}}"#, ["/crontab/minute Sequence can not be divided by zero or max"]),
                (#"{"name": "a", "task": "t", "solar": {"event": "sunrise", "latitude": 90.000001, "longitude": -180}}"#,
                 ["/solar/latitude Ensure this value is less than or equal to 90."]),
                (#"{"name": "a", "task": "t", "interval": {"every": 1, "period": "days"}, "args": {"x": 1}, "kwargs": "[1"}"#,
                 ["/args expected a JSON array", "/kwargs Unable to parse JSON: [1"]),
                (#"{"task": "", "interval": {"every": 1, "period": "days"}}"#,
                 ["/name This field is required.", "/task This field may not be blank."]),
            ]
            for (body, expected) in cases {
                let (status, details) = try await problem(body)
                #expect(status == 422, "\(body)")
                #expect(details.sorted() == expected.sorted(), "\(body)")
            }
            // Valid edge values, then the unique name.
            let ok = #"{"name": "edge", "task": "t", "crontab": {"minute": "1-59/5", "day_of_week": "mon-fri", "month_of_year": "jan-mar"}, "priority": 255}"#
            #expect(try await stack.request("POST", "/periodic-tasks", body: ok).status == 201)
            let (status, details) = try await problem(ok)
            #expect(status == 409 && details == ["/name Periodic task with this Name already exists."])
        }
    }

    @Test func editsBulkActionsRunAndDeleteBehaveAsTheAdmin() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            try await Self.ready(stack)
            let pg = PostgresClient(url: stack.settings.databaseURL, size: 1)
            var ids: [Int64] = []
            for name in ["alpha-report", "beta-report", "gamma-sync"] {
                let body = #"{"name": "\#(name)", "task": "jobs.\#(name)", "interval": {"every": 10, "period": "seconds"}, "queue": "\#(stack.queue)"}"#
                ids.append(try #require(try stack.json(try await stack.request("POST", "/periodic-tasks", body: body))["id"]?.intValue))
            }
            _ = try await pg.query("UPDATE django_celery_beat_periodictask SET last_run_at = now()")
            // PATCH: disabling clears last_run_at (Django's save()); a new schedule replaces the old kind.
            let patched = try stack.json(try await stack.request(
                "PATCH", "/periodic-tasks/\(ids[0])", body: #"{"enabled": false, "crontab": {"minute": "0", "hour": "3"}}"#))
            #expect(patched["enabled"] == false && patched["last_run_at"] == .null)
            #expect(patched["schedule_kind"] == "crontab" && patched["interval"] == .null)
            // PUT of what GET returned, with one change.
            var full = try stack.json(try await stack.request("GET", "/periodic-tasks/\(ids[1])")).objectValue ?? [:]
            full["description"] = "nightly"
            let put = try await stack.request("PUT", "/periodic-tasks/\(ids[1])", body: JSONValue.object(full).jsonText)
            #expect(put.status == 200, "\(put.text)")
            #expect(try stack.json(put)["description"] == "nightly")
            // Bulk actions bump last_update and answer with the admin's message.
            let before = try await Self.lastUpdate(pg)
            let toggled = try stack.json(try await stack.request(
                "POST", "/periodic-tasks/actions/toggle", body: #"{"ids": [\#(ids[0]), \#(ids[1])]}"#))
            #expect(toggled["count"] == 2 && toggled["message"] == "2 tasks were successfully toggled")
            #expect(try await Self.lastUpdate(pg) != before)
            let states = try await pg.query("SELECT enabled FROM django_celery_beat_periodictask ORDER BY id").values
            #expect(states == [["t"], ["f"], ["t"]])
            #expect(try await stack.request("POST", "/periodic-tasks/actions/explode", body: #"{"ids": [1]}"#).status == 404)
            #expect(try await stack.request("POST", "/periodic-tasks/actions/enable", body: #"{"ids": []}"#).status == 422)
            // Search (every word, name or task), filters, ordering.
            let found = try stack.json(try await stack.request("GET", "/periodic-tasks?search=report&ordering=-name"))
            #expect(found["count"] == 2)
            #expect(found["items"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["beta-report", "alpha-report"])
            let crontabs = try stack.json(try await stack.request("GET", "/periodic-tasks?kind=crontab&enabled=true"))
            #expect(crontabs["items"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["alpha-report"])
            #expect(try await stack.request("GET", "/periodic-tasks?kind=weekly").status == 422)
            // Run now: the task goes to its queue with the periodic_task_name header; counts stay.
            let ran = try await stack.request("POST", "/periodic-tasks/\(ids[2])/run")
            #expect(ran.status == 202, "\(ran.text)")
            let raw = try #require(try await stack.redis.command("RPOP", stack.queue).bytes)
            let message = try TaskMessage.decode(raw)
            #expect(message.task == "jobs.gamma-sync" && message.headers["periodic_task_name"] == "gamma-sync")
            #expect(try await pg.query("SELECT total_run_count FROM django_celery_beat_periodictask WHERE id = $1", [String(ids[2])]).values == [["0"]])
            // Delete.
            #expect(try await stack.request("DELETE", "/periodic-tasks/\(ids[2])").status == 204)
            #expect(try await stack.request("GET", "/periodic-tasks/\(ids[2])").status == 404)
            #expect(try await stack.request("DELETE", "/periodic-tasks/\(ids[2])").status == 404)
        }
    }

    @Test func aTaskShowsBeatsLastSendWithItsStateAndNextRunsAsBeatSendsThem() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            try await Self.ready(stack)
            let pg = PostgresClient(url: stack.settings.databaseURL, size: 1)
            let body = #"{"name": "every-10s", "task": "celeriac.echo", "interval": {"every": 10, "period": "seconds"}}"#
            let task = try stack.json(try await stack.request("POST", "/periodic-tasks", body: body))
            let id = try #require(task["id"]?.intValue)
            #expect(task["last_run"] == .null)
            // Never run: the first send is 10 s after it was saved, then every 10 s.
            let saved = try #require(task["date_changed"]?.stringValue.flatMap(CeleryTime.parse))
            let runs = (task["next_runs"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(CeleryTime.parse) }
            #expect(runs.first.map { abs($0.timeIntervalSince(saved) - 10) < 0.001 } == true, "\(runs)")
            // A send as beat records it, of a task the API knows.
            let sent = try stack.json(try await stack.request("POST", "/tasks", body: #"{"task": "celeriac.echo", "args": [1]}"#))
            let taskID = try #require(sent["id"]?.stringValue)
            let tick = saved.addingTimeInterval(10)
            try await BeatRepository(client: pg).write(
                [.init(periodicTaskID: Int(id), lastRunAt: tick, sent: 1, taskID: taskID, tick: tick, firedAt: tick)], now: tick)
            let fetched = try stack.json(try await stack.request("GET", "/periodic-tasks/\(id)"))
            #expect(fetched["last_run"]?["task_id"]?.stringValue == taskID)
            #expect(fetched["last_run"]?["state"] == "PENDING")
            #expect(fetched["last_run"]?["scheduled_for"]?.stringValue.flatMap(CeleryTime.parse) == tick)
            #expect(fetched["total_run_count"] == 1 && fetched["last_run_at"]?.stringValue.flatMap(CeleryTime.parse) == tick)
            // Lists leave it out; deleting the task deletes its row.
            let listed = try stack.json(try await stack.request("GET", "/periodic-tasks"))
            #expect(listed["items"]?.arrayValue?.first?["last_run"] == nil)
            #expect(try await stack.request("DELETE", "/periodic-tasks/\(id)").status == 204)
            #expect(try await pg.query("SELECT count(*) FROM celeriac_periodic_task_run").values == [["0"]])
        }
    }

    @Test func schedulesHaveTheirOwnRoutesAndDeletingOneDeletesItsTasks() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            try await Self.ready(stack)
            let created = try await stack.request("POST", "/interval-schedules", body: #"{"every": 10, "period": "seconds"}"#)
            #expect(created.status == 201, "\(created.text)")
            let schedule = try stack.json(created)
            #expect(schedule["schedule_description"] == "every 10 seconds")
            let id = try #require(schedule["id"]?.intValue)
            let task = #"{"name": "uses-it", "task": "t", "interval_id": \#(id)}"#
            #expect(try await stack.request("POST", "/periodic-tasks", body: task).status == 201)
            let patched = try stack.json(try await stack.request("PATCH", "/interval-schedules/\(id)", body: #"{"every": 1}"#))
            #expect(patched["every"] == 1 && patched["schedule_description"] == "every second")
            let solar = #"{"event": "sunrise", "latitude": "37.5665", "longitude": 126.978}"#
            #expect(try await stack.request("POST", "/solar-schedules", body: solar).status == 201)
            #expect(try await stack.request("POST", "/solar-schedules", body: solar).status == 409)
            let listed = try stack.json(try await stack.request("GET", "/solar-schedules"))
            #expect(listed["count"] == 1 && listed["items"]?.arrayValue?.first?["latitude"] == .double(37.5665))
            #expect(try await stack.request("POST", "/clocked-schedules", body: #"{"clocked_time": "2030-01-02T03:04:05"}"#).status == 422)
            #expect(try await stack.request("DELETE", "/interval-schedules/\(id)").status == 204)
            #expect(try stack.json(try await stack.request("GET", "/periodic-tasks"))["count"] == 0)
            #expect(try await stack.request("GET", "/interval-schedules/\(id)").status == 404)
        }
    }

    /// Rows Django wrote (the reference's sample data) read through our API as Django shows them.
    @Test func rowsDjangoWroteReadTheSame() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            try await Self.ready(stack)
            let pg = PostgresClient(url: stack.settings.databaseURL, size: 1)
            let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("CeleriacPostgresTests/Fixtures/sample-data.sql")
            let sql = try String(contentsOf: fixture, encoding: .utf8).split(separator: "\n")
                .filter { $0.hasPrefix("INSERT INTO public.django_celery_beat") }.joined(separator: "\n")
            try await pg.withTransaction { try $0.executeScript("DELETE FROM django_celery_beat_periodictasks; " + sql) }
            let listed = try stack.json(try await stack.request("GET", "/periodic-tasks?ordering=name"))
            let items = try #require(listed["items"]?.arrayValue)
            #expect(items.compactMap { $0["name"]?.stringValue } == ["every-10s", "one-off-clocked", "seoul-sunrise", "weekly-wed-0130-seoul"])
            #expect(items[0]["schedule_description"] == "every 10 seconds" && items[0]["expire_seconds"] == 30)
            #expect(items[0]["headers"] == ["hdr": 1])
            #expect(items[1]["clocked"]?["clocked_time"] == "2030-01-02T03:04:05.000000+00:00" && items[1]["one_off"] == true)
            #expect(items[2]["solar"]?["event"] == "sunrise" && items[2]["solar"]?["latitude"] == .double(37.5665))
            #expect(items[3]["crontab"]?["timezone"] == "Asia/Seoul" && items[3]["priority"] == 5 && items[3]["queue"] == "reports")
        }
    }
}
