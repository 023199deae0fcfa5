// Celeriac — a Celery-compatible job service in Swift.

import ArgumentParser
import CeleriacCore
import CeleriacHTTP

/// `celeriac schedules …`: the periodic tasks (`/periodic-tasks`), as the Django admin's
/// changelist and actions.
struct SchedulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedules", abstract: "List, show, create, enable, disable, run and delete periodic tasks.",
        subcommands: [List.self, Show.self, Create.self, Enable.self, Disable.self, Run.self, Delete.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One line per periodic task: id, enabled, name, task, schedule.")
        @OptionGroup var options: APIOptions
        @Option(help: "Words that must each appear in the name or the task.") var search: String?
        @Option(help: "Only tasks of this name.") var task: String?
        @Option(help: "true or false.") var enabled: Bool?

        func run() async throws {
            var query: [String] = ["limit=500"]
            if let search { query.append("search=" + percentEncoded(search)) }
            if let task { query.append("task=" + percentEncoded(task)) }
            if let enabled { query.append("enabled=\(enabled)") }
            let page = try JSONValue.parse(try await options.call("GET", "/periodic-tasks?" + query.joined(separator: "&")).body)
            for item in page["items"]?.arrayValue ?? [] {
                let columns = [
                    item["id"]?.intValue.map(String.init) ?? "", item["enabled"]?.boolValue == true ? "on " : "off",
                    item["name"]?.stringValue ?? "", item["task"]?.stringValue ?? "", item["schedule_description"]?.stringValue ?? "",
                ]
                print(columns.joined(separator: "\t"))
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A periodic task as JSON, with its next fire times.")
        @OptionGroup var options: APIOptions
        @Argument(help: "Periodic task id.") var id: Int
        func run() async throws { print(try await options.call("GET", "/periodic-tasks/\(id)").text) }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a periodic task.",
            discussion: """
                Give one schedule: --crontab 'MIN HOUR DOM MONTH DOW' [--timezone Asia/Seoul], --every N --period \
                seconds|minutes|hours|days, --clocked TIME (with --one-off), or --solar EVENT --latitude --longitude.
                """)
        @OptionGroup var options: APIOptions
        @Option(help: "Unique name.") var name: String
        @Option(help: "Celery task name.") var task: String
        @Option(help: "Five crontab fields: minute hour day-of-month month day-of-week.") var crontab: String?
        @Option(help: "IANA time zone of --crontab.") var timezone: String?
        @Option(help: "Interval count.") var every: Int?
        @Option(help: "Interval unit.") var period: String?
        @Option(help: "One-off time, RFC 3339 with offset.") var clocked: String?
        @Option(help: "Solar event (sunrise, sunset, solar_noon, dawn_civil, ...).") var solar: String?
        @Option(help: "Latitude of --solar.") var latitude: Double?
        @Option(help: "Longitude of --solar.") var longitude: Double?
        @Option(help: "JSON array of arguments.") var args: String = "[]"
        @Option(help: "JSON object of keyword arguments.") var kwargs: String = "{}"
        @Option(help: "Queue.") var queue: String?
        @Flag(help: "Run once, then disable.") var oneOff = false
        @Flag(help: "Create it disabled.") var disabled = false

        func run() async throws {
            var body: [String: JSONValue] = [
                "name": .string(name), "task": .string(task), "one_off": .bool(oneOff), "enabled": .bool(!disabled),
                "args": .string(args), "kwargs": .string(kwargs),
            ]
            if let queue { body["queue"] = .string(queue) }
            if let crontab {
                let fields = crontab.split(separator: " ").map(String.init)
                guard fields.count == 5 else { throw ValidationError("--crontab needs five fields: minute hour day-of-month month day-of-week") }
                var schedule: [String: JSONValue] = [
                    "minute": .string(fields[0]), "hour": .string(fields[1]), "day_of_month": .string(fields[2]),
                    "month_of_year": .string(fields[3]), "day_of_week": .string(fields[4]),
                ]
                if let timezone { schedule["timezone"] = .string(timezone) }
                body["crontab"] = .object(schedule)
            }
            if let every { body["interval"] = .object(["every": .int(Int64(every)), "period": .string(period ?? "seconds")]) }
            if let clocked { body["clocked"] = .object(["clocked_time": .string(clocked)]) }
            if let solar {
                body["solar"] = .object([
                    "event": .string(solar), "latitude": latitude.map(JSONValue.double) ?? .null,
                    "longitude": longitude.map(JSONValue.double) ?? .null,
                ])
            }
            print(try await options.call("POST", "/periodic-tasks", body: JSONValue.object(body).jsonText).text)
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable periodic tasks.")
        @OptionGroup var options: APIOptions
        @Argument(help: "Periodic task ids.") var ids: [Int]
        func run() async throws { try await action("enable", ids, options) }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable periodic tasks.")
        @OptionGroup var options: APIOptions
        @Argument(help: "Periodic task ids.") var ids: [Int]
        func run() async throws { try await action("disable", ids, options) }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send periodic tasks now.")
        @OptionGroup var options: APIOptions
        @Argument(help: "Periodic task ids.") var ids: [Int]
        func run() async throws { try await action("run", ids, options) }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a periodic task.")
        @OptionGroup var options: APIOptions
        @Argument(help: "Periodic task id.") var id: Int
        func run() async throws {
            _ = try await options.call("DELETE", "/periodic-tasks/\(id)")
            print("deleted periodic task \(id)")
        }
    }
}

/// A bulk action; prints the API's message (`2 tasks were successfully enabled`).
private func action(_ name: String, _ ids: [Int], _ options: APIOptions) async throws {
    guard !ids.isEmpty else { throw ValidationError("give at least one periodic task id") }
    let body = JSONValue.object(["ids": .array(ids.map { .int(Int64($0)) })]).jsonText
    let answer = try JSONValue.parse(try await options.call("POST", "/periodic-tasks/actions/\(name)", body: body).body)
    print(answer["message"]?.stringValue ?? "")
}

/// `value` for a query string (RFC 3986 unreserved characters kept).
private func percentEncoded(_ value: String) -> String {
    var out = ""
    for byte in value.utf8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            out.append(Character(UnicodeScalar(byte)))
        default:
            out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
        }
    }
    return out
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
