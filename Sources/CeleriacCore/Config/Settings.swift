// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads `CELERIAC_*` settings from an environment dictionary (injected, so tests need no
/// process environment). Every variable, with its default, is listed in the README.
public struct Settings: Sendable {
    public var redisURL: RedisURL
    public var databaseURL: String
    public var apiURL: String
    public var host: String
    public var port: Int
    public var queues: [String]
    public var concurrency: Int
    public var workerName: String?
    public var maxBodyBytes: Int
    /// API: most tasks one `POST /tasks/batch` may hold.
    public var batchMaxTasks: Int
    /// API: the largest `POST /tasks/batch` body, bytes.
    public var batchMaxBytes: Int
    /// API: header, target, JSON, argument and rate limits; timeouts; open connections.
    public var limits: RequestLimits
    /// Bearer token workers present on `/internal/reports` (a token with the `worker` scope);
    /// the API also accepts it, with that scope alone, when given the same variable.
    public var workerToken: String?
    /// API: bearer tokens required on every route but `/health`, `/ready` and
    /// `/openapi.yaml` (`CELERIAC_AUTH=on`, the default); `off` lets anyone do anything.
    public var authRequired: Bool
    /// API: failed authentications one address may make in a minute before it is refused
    /// (429) for the rest of that minute; 0 never refuses.
    public var authFailuresPerMinute: Int
    public var resultTTLSeconds: Int
    /// API: also write a PENDING history row for each task it enqueues. Off by default, as in
    /// django-celery-results, where a task's row starts with its first state from a worker.
    public var historyPending: Bool
    /// API: days a finished task's history row is kept; 0 keeps rows forever.
    public var historyRetentionDays: Int
    public var logLevel: String
    /// `text` (human-readable) or `json` (one object per line).
    public var logFormat: LogFormat
    /// Worker: seconds a claimed message stays leased without renewal.
    public var leaseSeconds: Int
    /// Worker: a task whose worker was lost this many times ends FAILURE `WorkerCrashed`.
    public var maxCrashes: Int
    /// Worker: seconds running tasks get to finish on SIGTERM before they are returned.
    public var shutdownGraceSeconds: Int
    /// API: longest long-poll (`GET /tasks/{id}?wait=`), seconds; a longer wait is cut to it
    /// (keep it under the idle timeout of proxies in front of the API).
    public var longPollMaxSeconds: Int

    /// Beat: seconds the leader's lease lasts unrenewed (a standby takes over this long
    /// after the leader dies).
    public var beatLeaseSeconds: Int
    /// Beat: ticks missed by less than this many seconds are each sent late; older ones
    /// are folded into one catch-up send.
    public var beatCatchUpSeconds: Int
    /// Beat: this process's name in the lease and logs.
    public var beatName: String?

    /// API: task names (`myapp.add`) and prefixes (`reports.*`) `POST /tasks` accepts though
    /// no worker of ours announced them (tasks of Celery workers); `*` accepts every name.
    public var tasksAllowed: [String]

    /// Worker: a JSON file of secret names to values (webhook URLs, passwords), read beside
    /// the environment; kwargs name secrets, never carry them.
    public var secretsFile: String?

    /// Worker: where `backup.postgres` writes (unset: backups are refused).
    public var backupDirectory: String?

    /// Worker: `notify.email`'s sender when a task names none.
    public var mailFrom: String?
    /// Worker: the folder of `notify.email`'s own templates (`<name>.html.mustache`, ...).
    public var mailTemplates: String?
    /// Worker: a JSON file of the recipient sources broadcasts may name (``RecipientSource``).
    public var mailSourcesFile: String?
    /// Worker: a PEM bundle of the certificates SMTP servers' TLS is checked against (a private
    /// CA); unset trusts the system's.
    public var smtpCAFile: String?

    /// Worker: hosts `http.request` may reach though they resolve to loopback, private or
    /// link-local addresses.
    public var httpAllowHosts: [String]
    /// Worker: a JSON file of the loads `data.load` may run (``DataLoadSpec``).
    public var dataLoadsFile: String?
    /// Worker: a JSON file of command tasks (``CommandSpec``).
    public var commandsFile: String?

    public static let defaultDatabaseURL = "postgresql://celeriac@127.0.0.1:5432/celeriac"

    /// - Throws: ``ConfigError`` for a value that is present but unusable.
    public init(environment env: [String: String]) throws(ConfigError) {
        redisURL = try RedisURL(parsing: env["CELERIAC_REDIS_URL"] ?? "redis://127.0.0.1:6379/0")
        databaseURL = env["CELERIAC_DATABASE_URL"] ?? Self.defaultDatabaseURL
        host = env["CELERIAC_HOST"] ?? "127.0.0.1"
        port = try Self.int(env, "CELERIAC_PORT", default: 8080, range: 0...65535)
        apiURL = env["CELERIAC_API_URL"] ?? "http://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(port)"
        queues = (env["CELERIAC_QUEUES"] ?? "celery").split(separator: ",").map {
            String($0.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        }
        for queue in queues {
            if let problem = Names.checkQueueName(queue) { throw ConfigError("CELERIAC_QUEUES: \(queue): \(problem)") }
        }
        if queues.isEmpty { throw ConfigError("CELERIAC_QUEUES: no queue given") }
        concurrency = try Self.int(env, "CELERIAC_CONCURRENCY", default: 16, range: 1...10_000)
        workerName = env["CELERIAC_WORKER_NAME"]
        maxBodyBytes = try Self.int(env, "CELERIAC_MAX_BODY_BYTES", default: 1 << 20, range: 1024...(64 << 20))
        limits = try RequestLimits(environment: env)
        batchMaxTasks = try Self.int(env, "CELERIAC_MAX_BATCH", default: 1000, range: 1...100_000)
        batchMaxBytes = try Self.int(env, "CELERIAC_MAX_BATCH_BYTES", default: 16 << 20, range: 1024...(256 << 20))
        workerToken = env["CELERIAC_WORKER_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        switch env["CELERIAC_AUTH"] ?? "on" {
        case "on": authRequired = true
        case "off": authRequired = false
        case let other: throw ConfigError("CELERIAC_AUTH: \(other.prefix(20)) is not on or off")
        }
        authFailuresPerMinute = try Self.int(env, "CELERIAC_AUTH_FAILURES_PER_MINUTE", default: 20, range: 0...1_000_000)
        resultTTLSeconds = try Self.int(env, "CELERIAC_RESULT_TTL", default: 86_400, range: 60...(365 * 86_400))
        historyPending = try Self.bool(env, "CELERIAC_HISTORY_PENDING", default: false)
        historyRetentionDays = try Self.int(env, "CELERIAC_HISTORY_RETENTION_DAYS", default: 30, range: 0...36_500)
        logLevel = env["CELERIAC_LOG_LEVEL"] ?? "info"
        if !LogLevelName.all.contains(logLevel) {
            throw ConfigError("CELERIAC_LOG_LEVEL: \(logLevel) is not one of trace, debug, info, notice, warning, error, critical")
        }
        let format = env["CELERIAC_LOG_FORMAT"] ?? "text"
        guard let logFormat = LogFormat(rawValue: format) else {
            throw ConfigError("CELERIAC_LOG_FORMAT: \(format) is not text or json")
        }
        self.logFormat = logFormat
        leaseSeconds = try Self.int(env, "CELERIAC_LEASE_SECONDS", default: 30, range: 5...3600)
        maxCrashes = try Self.int(env, "CELERIAC_MAX_CRASHES", default: 3, range: 1...1000)
        shutdownGraceSeconds = try Self.int(env, "CELERIAC_SHUTDOWN_GRACE", default: 30, range: 0...86_400)
        longPollMaxSeconds = try Self.int(env, "CELERIAC_LONG_POLL_MAX", default: 60, range: 0...60)
        beatLeaseSeconds = try Self.int(env, "CELERIAC_BEAT_LEASE_SECONDS", default: 5, range: 2...300)
        beatCatchUpSeconds = try Self.int(env, "CELERIAC_BEAT_CATCHUP_SECONDS", default: 15, range: 0...86_400)
        beatName = env["CELERIAC_BEAT_NAME"].flatMap { $0.isEmpty ? nil : $0 }
        backupDirectory = env["CELERIAC_BACKUP_DIR"].flatMap { $0.isEmpty ? nil : $0 }
        secretsFile = env["CELERIAC_SECRETS_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        mailFrom = env["CELERIAC_MAIL_FROM"].flatMap { $0.isEmpty ? nil : $0 }
        if let mailFrom, HeaderText.hasLineBreakOrNUL(mailFrom) { throw ConfigError("CELERIAC_MAIL_FROM: one line, no CR, LF or NUL") }
        mailTemplates = env["CELERIAC_MAIL_TEMPLATES"].flatMap { $0.isEmpty ? nil : $0 }
        mailSourcesFile = env["CELERIAC_MAIL_SOURCES"].flatMap { $0.isEmpty ? nil : $0 }
        smtpCAFile = env["CELERIAC_SMTP_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        commandsFile = env["CELERIAC_COMMANDS"].flatMap { $0.isEmpty ? nil : $0 }
        dataLoadsFile = env["CELERIAC_DATA_LOADS"].flatMap { $0.isEmpty ? nil : $0 }
        httpAllowHosts = (env["CELERIAC_HTTP_ALLOW_HOSTS"] ?? "").split(separator: ",").map {
            String($0.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()).lowercased()
        }.filter { !$0.isEmpty }
        tasksAllowed = (env["CELERIAC_TASKS_ALLOWED"] ?? "").split(separator: ",").map {
            String($0.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        }.filter { !$0.isEmpty }
        for name in tasksAllowed where name.count > 255 || name.dropLast().contains("*") {
            throw ConfigError("CELERIAC_TASKS_ALLOWED: \(name.prefix(64)): a name, or a prefix ending in *")
        }
    }

    static func int(_ env: [String: String], _ name: String, default value: Int, range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let text = env[name] else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw ConfigError("\(name) must be an integer in \(range.lowerBound)...\(range.upperBound), got \(text)")
        }
        return number
    }

    static func bool(_ env: [String: String], _ name: String, default value: Bool) throws(ConfigError) -> Bool {
        switch env[name]?.lowercased() {
        case nil: return value
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        case _?: throw ConfigError("\(name) must be true or false (or 1 or 0), got \(env[name] ?? "")")
        }
    }
}
