// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
import CeleriacHTTP

/// `notify.slack(text, level="good", title=None, fields=None, webhook="SLACK_WEBHOOK_URL")`:
/// posts a message to a Slack incoming webhook, as an attachment coloured by level
/// (`good` green, `warning` yellow, `danger` red) with short fields. The webhook URL is a
/// secret, named in kwargs. A 429 is retried after its `Retry-After`; 5xx answers and
/// transport errors are retried with backoff; any other 4xx fails at once (the request is
/// wrong and would stay wrong).
public struct SlackJob: Job {
    public let name = "notify.slack"
    public init() {}

    public var spec: JobSpec {
        JobSpec(
            name: name, summary: "Posts a message to a Slack incoming webhook, coloured by level.",
            schema: JobSchema([
                .init("text", .string, required: true, maxLength: 3000, summary: "the message"),
                .init("level", .string, default: "good", choices: ["good", "warning", "danger"], summary: "its colour"),
                .init("title", .string, maxLength: 250, summary: "a bold first line"),
                .init("fields", .object, maxLength: 20, summary: "name → value pairs shown in two columns"),
                .init("webhook", .secret, default: "SLACK_WEBHOOK_URL", summary: "the secret holding the webhook URL"),
            ]),
            timeLimit: 60, retry: RetryPolicy(maxRetries: 5, backoff: 2, backoffMax: 300))
    }

    public func run(_ invocation: JobInvocation) async throws -> JSONValue {
        let arguments = try invocation.arguments(spec.schema)
        let webhook = arguments["webhook"]?.stringValue ?? "SLACK_WEBHOOK_URL"
        let url = try invocation.secrets.value(webhook)
        let body = Self.payload(arguments)
        let response: HTTPClientResponse
        do {
            response = try await invocation.http.send(HTTPClientRequest(
                method: "POST", url: url, headers: [("Content-Type", "application/json")], body: Array(body.jsonText.utf8),
                timeout: .seconds(15), maxResponseBytes: 64 << 10))
        } catch {
            // The error may hold the URL (curl names the host): only its kind is told.
            throw JobRetry(reason: "the Slack webhook (secret \(webhook)) did not answer: \(Self.kind(of: error))")
        }
        switch response.status {
        case 200..<300:
            return .object(["status": .int(Int64(response.status))])
        case 429:
            let wait = response.header("Retry-After").flatMap(Double.init).map { min(max($0, 0), 3600) } ?? 1
            throw JobRetry(after: .milliseconds(Int64(wait * 1000)), reason: "Slack rate-limited the webhook (429)")
        case 400..<500:
            throw JobFailure(
                type: "SlackError", module: "celeriac.jobs",
                message: "Slack refused the message: \(response.status) \(String(response.text.prefix(200)))", retryable: false)
        default:
            throw JobRetry(reason: "Slack answered \(response.status)")
        }
    }

    /// The webhook's JSON: one attachment (Slack's colours by name), fields in two columns.
    static func payload(_ arguments: [String: JSONValue]) -> JSONValue {
        let text = arguments["text"]?.stringValue ?? ""
        var attachment: [String: JSONValue] = [
            "color": .string(arguments["level"]?.stringValue ?? "good"), "text": .string(text), "fallback": .string(text),
        ]
        if let title = arguments["title"]?.stringValue { attachment["title"] = .string(title) }
        if case .object(let fields)? = arguments["fields"] {
            attachment["fields"] = .array(fields.keys.sorted().map { key in
                let value = fields[key]?.stringValue ?? fields[key]?.jsonText ?? ""
                return .object(["title": .string(key), "value": .string(value), "short": .bool(true)])
            })
        }
        return .object(["attachments": .array([.object(attachment)])])
    }

    static func kind(of error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .timeout: return "timed out"
            case .transport: return "transport error"
            case .responseTooLarge(let limit): return "answer over \(limit) bytes"
            }
        }
        return "\(type(of: error))"
    }
}
