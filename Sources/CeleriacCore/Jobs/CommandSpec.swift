// Celeriac — a Celery-compatible job service in Swift.

/// A task that runs a configured program (`CELERIAC_COMMANDS`): new tasks without
/// recompiling. The program gets `{"args", "kwargs", "task_id", "retries"}` as one JSON line
/// on stdin; the last line of its stdout that is JSON is the result; a non-zero exit is a
/// FAILURE whose traceback is the tail of its stderr.
///
/// ```json
/// {"reports.weekly": {"argv": ["/usr/bin/python3", "/opt/jobs/weekly.py"], "cwd": "/opt/jobs",
///   "env": {"LANG": "C.UTF-8"}, "secrets": {"DATABASE_URL": "CELERIAC_DATABASE_URL"},
///   "summary": "Weekly report", "time_limit": 600,
///   "schema": {"fields": [{"name": "week", "type": "string", "required": true}], "allows_others": false}}}
/// ```
public struct CommandSpec: Sendable, Equatable {
    /// Name, summary, schema, limits and retry, as `GET /registered-tasks` shows them.
    public var spec: JobSpec
    public var argv: [String]
    public var workingDirectory: String?
    /// The child's whole environment (nothing of the worker's is passed on); `PATH` defaults
    /// to `/usr/local/bin:/usr/bin:/bin`.
    public var environment: [String: String]
    /// Variables set from secrets: variable name → secret name.
    public var secrets: [String: String]

    /// Hard time limit when the entry sets none, seconds.
    public static let defaultTimeLimit = 300.0

    /// Every command of a configuration file's JSON object.
    /// - Throws: ``ConfigError`` naming the command and the entry at fault.
    public static func parse(_ json: JSONValue) throws(ConfigError) -> [CommandSpec] {
        guard case .object(let members) = json else { throw ConfigError("CELERIAC_COMMANDS: expected a JSON object of task names") }
        var commands: [CommandSpec] = []
        for (name, entry) in members.sorted(by: { $0.key < $1.key }) {
            commands.append(try CommandSpec(name: name, entry))
        }
        return commands
    }

    init(name: String, _ entry: JSONValue) throws(ConfigError) {
        let entry = try ConfigEntry(
            variable: "CELERIAC_COMMANDS", name: name, entry,
            known: ["argv", "cwd", "env", "secrets", "summary", "time_limit", "soft_time_limit", "retry", "schema"],
            nameProblem: Names.checkTaskName(name).map { "task name \($0)" })
        let fail = entry.fail
        let members = entry.members
        guard case .array(let items)? = members["argv"], !items.isEmpty,
            case let argv = items.compactMap(\.stringValue), argv.count == items.count, !argv[0].isEmpty,
            !argv.contains(where: { $0.utf8.contains(0) })
        else { throw fail("argv must be a non-empty list of strings (the program, then its arguments; no shell)") }
        self.argv = argv
        if let cwd = members["cwd"], cwd != .null {
            guard let path = cwd.stringValue, path.hasPrefix("/") else { throw fail("cwd must be an absolute path") }
            workingDirectory = path
        }
        environment = try Self.names(members["env"], "env", fail)
        secrets = try Self.names(members["secrets"], "secrets", fail)
        for secret in secrets.values where !JobSchema.Field.isSecretName(secret) { throw fail("secrets: \(secret.prefix(64)) is not a secret's name") }
        var announced = members
        announced["name"] = .string(name)
        if announced["schema"] == nil || announced["schema"] == .null {
            announced["schema"] = .object(["fields": .array([]), "allows_others": .bool(true)])
        }
        if case .object(let schema)? = announced["schema"], schema["fields"] == nil {
            var withFields = schema
            withFields["fields"] = .array([])
            announced["schema"] = .object(withFields)
        }
        guard var spec = JobSpec(json: .object(announced)) else {
            throw fail("schema must be {\"fields\": [{\"name\", \"type\", ...}], \"allows_others\"}, as GET /registered-tasks shows")
        }
        if spec.timeLimit == nil { spec.timeLimit = Self.defaultTimeLimit }
        guard spec.timeLimit! > 0, (spec.softTimeLimit ?? 1) > 0 else { throw fail("time limits must be positive") }
        self.spec = spec
    }

    private static func names(_ json: JSONValue?, _ key: String, _ fail: (String) -> ConfigError) throws(ConfigError) -> [String: String] {
        guard let json, json != .null else { return [:] }
        guard case .object(let members) = json else { throw fail("\(key) must be an object of variable names to strings") }
        var values: [String: String] = [:]
        for (name, value) in members {
            guard let text = value.stringValue, !text.utf8.contains(0), let first = name.unicodeScalars.first,
                first == "_" || (first.isASCII && first.properties.isAlphabetic),
                name.unicodeScalars.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) })
            else { throw fail("\(key): \(name.prefix(64)) must be a variable name with a string value") }
            values[name] = text
        }
        return values
    }

    /// What the child reads on stdin: one JSON line.
    public static func input(taskID: String, args: [JSONValue], kwargs: [String: JSONValue], retries: Int) -> [UInt8] {
        Array(
            JSONValue.object([
                "args": .array(args), "kwargs": .object(kwargs), "task_id": .string(taskID), "retries": .int(Int64(retries)),
            ]).jsonText.utf8) + [0x0A]
    }

    /// The last line of `output` that parses as JSON, or nil when none does.
    public static func result(fromOutput output: [UInt8]) -> JSONValue? {
        for line in output.split(separator: 0x0A).reversed() {
            let trimmed = line.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
            guard !trimmed.isEmpty else { continue }
            if let value = try? JSONValue.parse(Array(trimmed)) { return value }
        }
        return nil
    }
}
