// Celeriac — a Celery-compatible job service in Swift.

/// What a job declares of itself: its task name, a one-line summary, its arguments and the
/// limits and retry policy its tasks get unless the caller sets others. Workers announce
/// their jobs' specs in Redis (``RedisKeys/registry``); the API lists them at
/// `GET /registered-tasks` and checks `POST /tasks` against them.
public struct JobSpec: Sendable, Equatable {
    public var name: String
    public var summary: String
    public var schema: JobSchema
    /// Hard and soft time limits, seconds.
    public var timeLimit: Double?
    public var softTimeLimit: Double?
    public var retry: RetryPolicy?

    public init(
        name: String, summary: String = "", schema: JobSchema = .open, timeLimit: Double? = nil,
        softTimeLimit: Double? = nil, retry: RetryPolicy? = nil
    ) {
        self.name = name
        self.summary = summary
        self.schema = schema
        self.timeLimit = timeLimit
        self.softTimeLimit = softTimeLimit
        self.retry = retry
    }

    /// `options` with this job's limits and retry policy where the caller set none.
    public func defaults(for options: TaskOptions) -> TaskOptions {
        var options = options
        if options.timeLimit == nil { options.timeLimit = timeLimit }
        if options.softTimeLimit == nil { options.softTimeLimit = softTimeLimit }
        if options.headers[RetryPolicy.header] == nil, let retry { options.headers[RetryPolicy.header] = retry.json }
        return options
    }

    /// `{name, summary, schema, time_limit, soft_time_limit, retry}`.
    public var json: JSONValue {
        .object([
            "name": .string(name), "summary": .string(summary), "schema": schema.json,
            "time_limit": timeLimit.map(JSONValue.double) ?? nil, "soft_time_limit": softTimeLimit.map(JSONValue.double) ?? nil,
            "retry": retry?.json ?? nil,
        ])
    }

    /// Reads ``json`` back (a worker's announcement); nil for anything else.
    public init?(json: JSONValue) {
        guard let name = json["name"]?.stringValue, case .object(let schema)? = json["schema"],
            case .array(let fields)? = schema["fields"]
        else { return nil }
        var parsed: [JobSchema.Field] = []
        for field in fields {
            guard let fieldName = field["name"]?.stringValue,
                let type = field["type"]?.stringValue.flatMap(JobSchema.FieldType.init(rawValue:))
            else { return nil }
            parsed.append(JobSchema.Field(
                fieldName, type, required: field["required"]?.boolValue ?? false, default: field["default"],
                minimum: field["minimum"]?.doubleValue, maximum: field["maximum"]?.doubleValue,
                maxLength: field["max_length"]?.intValue.map(Int.init),
                choices: field["choices"]?.arrayValue?.compactMap(\.stringValue), summary: field["summary"]?.stringValue ?? ""))
        }
        var errors: [DomainError.FieldError] = []
        self.init(
            name: name, summary: json["summary"]?.stringValue ?? "",
            schema: JobSchema(parsed, allowsOthers: schema["allows_others"]?.boolValue ?? true),
            timeLimit: json["time_limit"]?.doubleValue, softTimeLimit: json["soft_time_limit"]?.doubleValue,
            retry: json["retry"].flatMap { $0 == .null ? nil : RetryPolicy.parse($0, at: "/retry", errors: &errors) })
    }
}
