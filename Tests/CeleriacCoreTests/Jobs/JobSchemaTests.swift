// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import Testing

/// A job's argument schema: positional and named arguments, defaults, limits, secrets by
/// name, every fault with its pointer; and the spec's JSON, which workers announce.
struct JobSchemaTests {
    static let backup = JobSchema([
        .init("database", .string, default: "default", maxLength: 63),
        .init("keep", .integer, default: 7, minimum: 1, maximum: 1000),
        .init("verify", .boolean, default: false),
        .init("webhook", .secret),
        .init("level", .string, choices: ["good", "warning", "danger"]),
    ])

    func faults(_ args: [JSONValue] = [], _ kwargs: [String: JSONValue] = [:]) -> [String: String] {
        do {
            _ = try Self.backup.check(args: args, kwargs: kwargs, operation: "test")
            return [:]
        } catch {
            return Dictionary(uniqueKeysWithValues: error.fields.map { ($0.pointer, $0.detail) })
        }
    }

    @Test func positionalAndNamedArgumentsMeetDefaults() throws {
        let values = try Self.backup.check(args: ["main"], kwargs: ["keep": 3], operation: "test")
        #expect(values == ["database": "main", "keep": 3, "verify": false])
        #expect(try Self.backup.check(args: [], kwargs: ["keep": .double(3)], operation: "test")["keep"] == .double(3))
    }

    @Test func everyFaultIsNamedByItsPointer() {
        #expect(faults([1]) == ["/args/0": "expected string, got number"])
        #expect(faults(["a", "b", true, "c", "good", "extra"]).keys.sorted() == ["/args/1", "/args/5"])
        #expect(faults([], ["keep": 0, "verify": "yes", "colour": 1]) == [
            "/kwargs/keep": "must be at least 1", "/kwargs/verify": "expected boolean, got string",
            "/kwargs/colour": "unknown argument; takes database, keep, verify, webhook, level",
        ])
        #expect(faults(["main"], ["database": "other"]) == ["/kwargs/database": "given both by position and by name"])
        #expect(faults([], ["keep": .double(2.5)])["/kwargs/keep"] == "expected integer, got number")
        #expect(faults([], ["level": "red"])["/kwargs/level"] == "expected one of good, warning, danger")
        #expect(faults([], ["database": .string(String(repeating: "d", count: 64))])["/kwargs/database"] == "longer than 63 characters")
    }

    @Test func secretsAreNamesNeverValues() {
        #expect(faults([], ["webhook": "SLACK_WEBHOOK"]).isEmpty)
        #expect(faults([], ["webhook": "https://hooks.slack.com/services/T0/B0/x"])["/kwargs/webhook"]?.hasPrefix("expected the name of a secret") == true)
        #expect(faults([], ["webhook": "p@ss word"]).count == 1)
    }

    @Test func requiredFieldsAndOpenSchemas() throws {
        let sleep = JobSchema([.init("seconds", .number, required: true)])
        #expect(throws: DomainError.self) { _ = try sleep.check(args: [], kwargs: [:], operation: "test") }
        #expect(throws: DomainError.self) { _ = try sleep.check(args: [.null], kwargs: [:], operation: "test") }
        #expect(!JobSchema.open.checksSomething && sleep.checksSomething)
        #expect(!JobSchema([.init("value", .any)], allowsOthers: true).checksSomething)
        #expect(try JobSchema.open.check(args: [1, 2], kwargs: ["x": 1], operation: "test") == ["x": 1])
    }

    @Test func aSpecReadsBackFromItsJSON() throws {
        let spec = JobSpec(
            name: "backup.postgres", summary: "pg_dump | gzip", schema: Self.backup, timeLimit: 600,
            retry: RetryPolicy(maxRetries: 3, backoff: 300, backoffMax: 300, jitter: false))
        let text = spec.json.jsonText
        #expect(JobSpec(json: try JSONValue.parse(Array(text.utf8))) == spec)
        #expect(JobSpec(json: ["name": "x"]) == nil)
    }
}
