// Celeriac — a Celery-compatible job service in Swift.

import Testing

@testable import CeleriacCore

@Suite struct EnqueueRequestTests {
    @Test func defaultsQueueArgsAndKwargs() throws {
        let request = try EnqueueRequest(json: try JSONValue.parse(#"{"task": "celeriac.echo"}"#))
        #expect(request == (try EnqueueRequest(json: .object(["task": "celeriac.echo", "args": [], "kwargs": .object([:]), "queue": "celery"]))))
        #expect(request.queue == "celery" && request.args.isEmpty && request.kwargs.isEmpty && request.priority == 0)
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
        (#"{"task": "t", "args": {}}"#, ["/args"]),
        (#"{"task": "t", "kwargs": []}"#, ["/kwargs"]),
        (#"{"task": "t", "queue": "bad queue"}"#, ["/queue"]),
        (#"{"task": "t", "queue": ""}"#, ["/queue"]),
        (#"{"task": "t", "priority": 10}"#, ["/priority"]),
        (#"{"task": "t", "priority": 1.5}"#, ["/priority"]),
        (#"{"task": "t", "extra": 1, "a/b": 2}"#, ["/a~1b", "/extra"]),
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
}
