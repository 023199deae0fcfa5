// Celeriac — a Celery-compatible job service in Swift.

import Foundation
import Testing

@testable import CeleriacCore

@Suite struct EnqueueRequestTests {
    @Test func defaultsQueueArgsAndKwargs() throws {
        let request = try EnqueueRequest(json: try JSONValue.parse(#"{"task": "celeriac.echo"}"#))
        #expect(request == (try EnqueueRequest(json: .object(["task": "celeriac.echo", "args": [], "kwargs": .object([:]), "queue": "celery"]))))
        #expect(request.queue == "celery" && request.args.isEmpty && request.kwargs.isEmpty && request.priority == 0)
    }

    /// Celery's dotted names, in any script.
    @Test func dottedTaskNamesAreAccepted() {
        for name in ["proj.tasks.add", "celery.backend_cleanup", "my-task", "_private.x", "v2.send_email", "작업.추가", "tâches.envoyer"] {
            #expect(Names.checkTaskName(name) == nil, "\(name)")
        }
    }

    @Test(arguments: [
        (#"[]"#, [""]),
        (#"{}"#, ["/task"]),
        (#"{"task": ""}"#, ["/task"]),
        (#"{"task": 5}"#, ["/task"]),
        (#"{"task": "a b"}"#, ["/task"]),
        (#"{"task": "a\tb"}"#, ["/task"]),
        (#"{"task": "a\u007f"}"#, ["/task"]),
        (#"{"task": "tâche\u0085"}"#, ["/task"]),  // a C1 control, on the non-ASCII path
        (#"{"task": "a..b"}"#, ["/task"]),
        (#"{"task": ".a"}"#, ["/task"]),
        (#"{"task": "a."}"#, ["/task"]),
        (#"{"task": "a/b"}"#, ["/task"]),
        (#"{"task": "a;rm"}"#, ["/task"]),
        (#"{"task": "a:b"}"#, ["/task"]),
        (#"{"task": "tâche.é/"}"#, ["/task"]),
        (#"{"task": "a\u0000"}"#, ["/task"]),
        (#"{"task": "a\"b"}"#, ["/task"]),
        (#"{"task": "t", "args": {}}"#, ["/args"]),
        (#"{"task": "t", "kwargs": []}"#, ["/kwargs"]),
        (#"{"task": "t", "queue": "bad queue"}"#, ["/queue"]),
        (#"{"task": "t", "queue": ""}"#, ["/queue"]),
        (#"{"task": "t", "priority": 10}"#, ["/priority"]),
        (#"{"task": "t", "priority": 1.5}"#, ["/priority"]),
        (#"{"task": "t", "extra": 1, "a/b": 2}"#, ["/a~1b", "/extra"]),
        (#"{"task": "t", "countdown": -1}"#, ["/countdown"]),
        (#"{"task": "t", "countdown": "5"}"#, ["/countdown"]),
        (#"{"task": "t", "countdown": 31536001}"#, ["/countdown"]),
        (#"{"task": "t", "countdown": 5, "eta": "2026-12-04T09:00:00Z"}"#, ["/eta"]),
        (#"{"task": "t", "countdown": null, "eta": null}"#, ["/eta"]),
        (#"{"task": "t", "eta": "2026-12-04T09:00:00"}"#, ["/eta"]),
        (#"{"task": "t", "eta": "tomorrow"}"#, ["/eta"]),
        (#"{"task": "t", "eta": 1796342400}"#, ["/eta"]),
        (#"{"task": "t", "expires": 0}"#, ["/expires"]),
        (#"{"task": "t", "expires": "2026-02-30T00:00:00Z"}"#, ["/expires"]),
        (#"{"task": "t", "expires": true}"#, ["/expires"]),
        (#"{"task": "t", "time_limit": 0, "soft_time_limit": -5}"#, ["/time_limit", "/soft_time_limit"]),
        (#"{"task": "t", "headers": []}"#, ["/headers"]),
        (#"{"task": "t", "headers": {"retries": 3, "": 1, "tenant": "a"}}"#, ["/headers/", "/headers/retries"]),
    ])
    func rejectsWithFieldPointers(_ body: String, _ pointers: [String]) throws {
        let json = try JSONValue.parse(body)
        #expect {
            try EnqueueRequest(json: json)
        } throws: { error in
            guard let error = error as? DomainError else { return false }
            return error.code == .invalid && error.fields.map(\.pointer) == pointers
        }
    }

    /// JSON Schema's `integer` (openapi.yaml) includes 5.0; Python's json may send one.
    @Test func integralPrioritiesWrittenAsFloatsAreAccepted() throws {
        let request = try EnqueueRequest(json: try JSONValue.parse(#"{"task": "t", "priority": 5.0}"#))
        #expect(request.priority == 5)
    }

    @Test func nonASCIITaskNamesAreAccepted() throws {
        #expect(try EnqueueRequest(json: .object(["task": "tâches.envoyer"])).task == "tâches.envoyer")
    }

    /// The column (and openapi.yaml's maxLength) count characters, not bytes.
    @Test func taskNameLongerThanTheColumnIsRejected() throws {
        #expect(throws: DomainError.self) { try EnqueueRequest(json: .object(["task": .string(String(repeating: "x", count: 256))])) }
        #expect(throws: DomainError.self) { try EnqueueRequest(json: .object(["task": .string(String(repeating: "é", count: 256))])) }
        let wide = String(repeating: "é", count: 255)
        #expect(try EnqueueRequest(json: .object(["task": .string(wide)])).task == wide)
    }

    /// Each option becomes what a Celery client would put in the message: relative times are
    /// counted from the moment of publishing, as `apply_async(countdown=…)` does.
    @Test func optionsBecomeCeleryOptions() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let request = try EnqueueRequest(json: try JSONValue.parse(#"""
            {"task": "t", "queue": "q", "priority": 3, "countdown": 5.5, "expires": 60, "time_limit": 600,
             "soft_time_limit": 540, "headers": {"tenant": "acme", "n": [1]}}
            """#))
        let options = request.options(now: now)
        #expect(options.queue == "q" && options.priority == 3)
        #expect(options.eta == now.addingTimeInterval(5.5) && options.expires == now.addingTimeInterval(60))
        #expect(options.timeLimit == 600 && options.softTimeLimit == 540)
        #expect(options.headers == ["tenant": "acme", "n": [1]])
        let absolute = try EnqueueRequest(json: try JSONValue.parse(
            #"{"task": "t", "eta": "2027-01-15T09:00:00+09:00", "expires": "2027-01-16T00:00:00Z", "soft_time_limit": 30}"#))
        let fixed = absolute.options(now: now)
        #expect(fixed.eta == Date(timeIntervalSince1970: 1_799_971_200))
        #expect(fixed.expires == Date(timeIntervalSince1970: 1_800_057_600))
        #expect(fixed.timeLimit == nil && fixed.softTimeLimit == 30)
        // Without options, nothing is set.
        let plain = try EnqueueRequest(json: ["task": "t"]).options(now: now)
        #expect(plain.eta == nil && plain.expires == nil && plain.timeLimit == nil && plain.headers.isEmpty)
    }

    /// `Idempotency-Key` compares requests by what they ask for: the same countdown is the same
    /// request at any time; a different option is a different request.
    @Test func canonicalFormCoversTheOptions() throws {
        func canonical(_ text: String) throws -> String { try EnqueueRequest(json: try JSONValue.parse(text)).canonicalJSON }
        #expect(try canonical(#"{"task": "t", "countdown": 5}"#) == canonical(#"{"countdown": 5.0, "task": "t", "args": null}"#))
        #expect(try canonical(#"{"task": "t", "countdown": 5}"#) != canonical(#"{"task": "t", "countdown": 6}"#))
        #expect(try canonical(#"{"task": "t", "expires": 5}"#) != canonical(#"{"task": "t"}"#))
        #expect(try canonical(#"{"task": "t", "headers": {"a": 1}}"#) != canonical(#"{"task": "t", "headers": {"a": 2}}"#))
    }
}
