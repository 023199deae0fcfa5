// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
import CeleriacHTTP
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `notify.webpush(payload, subscriptions, ttl=86400, urgency="normal", topic=None,
/// subject="mailto:ops@localhost", vapid_key="VAPID_PRIVATE_KEY")`: sends `payload` to each
/// subscription (a browser's `PushSubscription.toJSON()`: `endpoint` and `keys.p256dh`,
/// `keys.auth`), encrypted per RFC 8291 and signed per RFC 8292. A 404 or 410 means the
/// subscription is gone: reported in the result, for the caller to delete. A 429 is waited
/// out (its `Retry-After`, at most 60 s) and 5xx answers and transport errors are tried
/// again, three times in all; what still fails is listed. When nothing was delivered and
/// nothing is gone, the task is retried.
public struct WebPushJob: Job {
    public let name = "notify.webpush"
    public init() {}

    public var spec: JobSpec {
        JobSpec(
            name: name, summary: "Sends an encrypted Web Push message (VAPID, RFC 8291) to subscriptions.",
            schema: JobSchema([
                .init("payload", .string, required: true, maxLength: WebPushEncryption.maxPlaintext, summary: "the message (often JSON)"),
                .init("subscriptions", .array, required: true, maxLength: 1000, summary: "PushSubscription.toJSON() objects"),
                .init("ttl", .integer, default: 86_400, minimum: 0, maximum: 2_419_200, summary: "seconds the push service keeps it"),
                .init("urgency", .string, default: "normal", choices: ["very-low", "low", "normal", "high"]),
                .init("topic", .string, maxLength: 32, summary: "replaces an undelivered message with the same topic"),
                .init("subject", .string, default: "mailto:ops@localhost", maxLength: 200, summary: "VAPID contact"),
                .init("vapid_key", .secret, default: "VAPID_PRIVATE_KEY", summary: "the secret holding the VAPID private key"),
            ]),
            timeLimit: 300, retry: RetryPolicy(maxRetries: 3, backoff: 5, backoffMax: 300))
    }

    struct Subscription {
        var endpoint: String
        var p256dh: [UInt8]
        var auth: [UInt8]
    }

    public func run(_ invocation: JobInvocation) async throws -> JSONValue {
        let arguments = try invocation.arguments(spec.schema)
        let subscriptions = try Self.subscriptions(arguments["subscriptions"])
        let vapid = try VAPID(
            privateKey: try invocation.secrets.value(arguments["vapid_key"]?.stringValue ?? "VAPID_PRIVATE_KEY"),
            subject: arguments["subject"]?.stringValue ?? "mailto:ops@localhost")
        if let topic = arguments["topic"]?.stringValue, topic.isEmpty || Base64URL.decode(topic) == nil || topic.contains("=") {
            throw JobFailure(type: "ValueError", module: "celeriac.jobs", message: "topic must be base64url characters", retryable: false)
        }
        let payload = Array((arguments["payload"]?.stringValue ?? "").utf8)
        var headers = [
            ("Content-Encoding", "aes128gcm"), ("Content-Type", "application/octet-stream"),
            ("TTL", String(arguments["ttl"]?.intValue ?? 86_400)), ("Urgency", arguments["urgency"]?.stringValue ?? "normal"),
        ]
        if let topic = arguments["topic"]?.stringValue { headers.append(("Topic", topic)) }
        // One JWT per push service (its origin) for the whole run, not one per message.
        let expires = Date().addingTimeInterval(12 * 3600)
        var authorizations: [String: String] = [:]
        var sent = 0
        var gone: [JSONValue] = []
        var failed: [JSONValue] = []
        for (index, subscription) in subscriptions.enumerated() {
            try Task.checkCancellation()
            let origin = VAPID.origin(of: subscription.endpoint) ?? subscription.endpoint
            let authorization = try authorizations[origin] ?? vapid.authorization(endpoint: subscription.endpoint, expires: expires)
            authorizations[origin] = authorization
            switch try await send(payload, to: subscription, headers: headers + [("Authorization", authorization)], http: invocation.http) {
            case .sent: sent += 1
            case .gone: gone.append(.string(subscription.endpoint))
            case .failed(let why): failed.append(.object(["endpoint": .string(subscription.endpoint), "error": .string(why)]))
            }
            invocation.progress(current: Double(index + 1), total: Double(subscriptions.count), message: "subscriptions")
        }
        if sent == 0 && gone.isEmpty {
            throw JobRetry(reason: "no subscription took the message: \(failed.first?["error"]?.stringValue ?? "")")
        }
        return .object(["sent": .int(Int64(sent)), "gone": .array(gone), "failed": .array(failed)])
    }

    enum Outcome {
        case sent, gone
        case failed(String)
    }

    private func send(_ payload: [UInt8], to subscription: Subscription, headers: [(String, String)], http: HTTPClient) async throws
        -> Outcome
    {
        var last = ""
        for attempt in 0..<3 {
            let body = try WebPushEncryption.encrypt(payload, p256dh: subscription.p256dh, auth: subscription.auth)
            let response: HTTPClientResponse
            do {
                response = try await http.send(HTTPClientRequest(
                    method: "POST", url: subscription.endpoint, headers: headers, body: body,
                    timeout: .seconds(15), maxResponseBytes: 16 << 10))
            } catch {
                last = "transport: \(SlackJob.kind(of: error))"
                try await Task.sleep(for: .seconds(1 << attempt))
                continue
            }
            switch response.status {
            case 200..<300: return .sent
            case 404, 410: return .gone
            case 429:
                last = "429"
                let wait = response.header("Retry-After").flatMap(Double.init).map { min(max($0, 0), 60) } ?? 1
                try await Task.sleep(for: .milliseconds(Int64(wait * 1000)))
            case 500...:
                last = "\(response.status)"
                try await Task.sleep(for: .seconds(1 << attempt))
            default:
                return .failed("\(response.status) \(String(response.text.prefix(200)))")
            }
        }
        return .failed(last)
    }

    /// The subscriptions of the kwargs, each checked (422-worthy problems name the index).
    static func subscriptions(_ value: JSONValue?) throws -> [Subscription] {
        guard case .array(let items)? = value, !items.isEmpty else {
            throw JobFailure(type: "TypeError", module: "builtins", message: "subscriptions must be a non-empty list", retryable: false)
        }
        return try items.enumerated().map { index, item in
            guard let endpoint = item["endpoint"]?.stringValue, VAPID.origin(of: endpoint) != nil,
                let p256dh = item["keys"]?["p256dh"]?.stringValue.flatMap(Base64URL.decode), p256dh.count == 65,
                let auth = item["keys"]?["auth"]?.stringValue.flatMap(Base64URL.decode), auth.count == 16
            else {
                throw JobFailure(
                    type: "TypeError", module: "builtins",
                    message: "subscriptions[\(index)]: needs an http(s) endpoint, keys.p256dh (65 bytes) and keys.auth (16 bytes), base64url",
                    retryable: false)
            }
            return Subscription(endpoint: endpoint, p256dh: p256dh, auth: auth)
        }
    }
}
