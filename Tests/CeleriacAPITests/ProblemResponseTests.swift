// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTP
import CeleriacHTTPServer
import Foundation
import TestSupport
import Testing

/// Bad input gets RFC 9457 problem+json with the right status, never a 500.
@Suite(.enabled(if: TestServices.enabled, "needs the test Redis and PostgreSQL (make test)"), .redisDatabase(7))
struct ProblemResponseTests {
    static let badBodies: [(body: String, status: Int, pointer: String?)] = [
        ("{not json", 400, nil),
        ("[]", 422, nil),
        (#"{"task": ""}"#, 422, "/task"),
        (#"{"task": 5}"#, 422, "/task"),
        (#"{"args": []}"#, 422, "/task"),
        (#"{"task": "celeriac.echo", "args": {"a": 1}}"#, 422, "/args"),
        (#"{"task": "celeriac.echo", "kwargs": []}"#, 422, "/kwargs"),
        (#"{"task": "celeriac.echo", "queue": "bad queue!"}"#, 422, "/queue"),
        (#"{"task": "celeriac.echo", "surprise": 1}"#, 422, "/surprise"),
    ]

    @Test func badBodiesAreProblems() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            for (body, status, pointer) in Self.badBodies {
                let response = try await stack.request("POST", "/tasks", body: body)
                #expect(response.status == status, "\(body) → \(response.status) \(response.text)")
                let problem = try stack.json(response)
                #expect(problem["status"]?.intValue == Int64(status), "\(body)")
                #expect(problem["title"]?.stringValue?.isEmpty == false, "\(body)")
                if let pointer {
                    let pointers = problem["errors"]?.arrayValue?.compactMap { $0["pointer"]?.stringValue } ?? []
                    #expect(pointers.contains("/body" + pointer) || pointers.contains(pointer), "\(body) → \(problem)")
                }
            }
        }
    }

    /// JSON nesting, string length and argument size are bounded by configuration, on the
    /// direct `POST /tasks` and on a routed body alike.
    @Test func bodiesBeyondTheJSONAndArgumentLimitsAreRefused() async throws {
        let limits = ["CELERIAC_MAX_JSON_DEPTH": "4", "CELERIAC_MAX_JSON_STRING_BYTES": "100", "CELERIAC_MAX_ARGS_BYTES": "200"]
        try await LiveStack.run(startWorker: false, environment: limits) { stack in
            let deep = #"{"task": "celeriac.echo", "args": [[[[1]]]]}"#
            let long = #"{"task": "celeriac.echo", "args": [""# + String(repeating: "x", count: 101) + #""]}"#
            for (path, body) in [("/tasks", deep), ("/tasks", long), ("/tokens", #"{"name": [[[["x"]]]]}"#)] {
                let response = try await stack.request("POST", path, body: body)
                let problem = try stack.json(response)
                #expect(response.status == 400 && problem["type"] == "/problems/bad-request", "\(body.prefix(50)) → \(problem)")
                let detail = problem["detail"]?.stringValue ?? ""
                #expect(detail.contains("nested deeper than 4") || detail.contains("longer than 100 bytes"), "\(detail)")
            }
            #expect(try await stack.request("POST", "/tasks", body: #"{"task": "celeriac.echo", "args": [[[1]]]}"#).status == 201)
            // 60 strings of 10 bytes: within every JSON limit, over the arguments' 200 bytes.
            let many = (0..<60).map { _ in #""0123456789""# }.joined(separator: ", ")
            let response = try await stack.request("POST", "/tasks", body: #"{"task": "celeriac.echo", "args": [\#(many)]}"#)
            let problem = try stack.json(response)
            #expect(response.status == 413 && problem["type"] == "/problems/arguments-too-large", "\(problem)")
            #expect(problem["errors"]?.arrayValue?.compactMap { $0["pointer"]?.stringValue } == ["/args", "/kwargs"])
        }
    }

    @Test func contentTypeIsProblemJSON() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            let response = try await stack.http.send(.init(
                method: "GET", url: stack.baseURL + "/tasks/nope", headers: [("Authorization", "Bearer \(stack.adminToken)")]))
            #expect(response.status == 404)
            #expect(try stack.json(response)["type"]?.stringValue != nil)
        }
    }

    @Test func oversizedBodyIs413() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            let big = #"{"task": "celeriac.echo", "args": [""# + String(repeating: "x", count: 8192) + #""]}"#
            let response = try await stack.request("POST", "/tasks", body: big)
            #expect(response.status == 413)
        }
    }

    @Test func unknownRoutesAndMethodsAreProblems() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            let missingRoute = try await stack.request("GET", "/nothing-here")
            #expect(missingRoute.status == 404)
            let longID = try await stack.request("GET", "/tasks/" + String(repeating: "a", count: 300))
            #expect(longID.status == 404)
            // A served path asked with another method: 405 and what it takes (RFC 9110 §15.5.6).
            for (method, path, allow) in [
                ("TRACE", "/health", "GET, HEAD"), ("DELETE", "/tasks", "GET, HEAD, POST"), ("PUT", "/tasks/abc", "GET, HEAD"),
                ("GET", "/internal/reports", "POST"), ("POST", "/openapi.yaml", "GET, HEAD"),
            ] {
                let reply = try await RawHTTP.send(method, path, port: stack.port)
                #expect(reply.status == 405 && reply.headers["allow"] == allow, "\(method) \(path): \(reply)")
                #expect(reply.headers["content-type"] == "application/problem+json")
            }
            #expect(try await RawHTTP.send("HEAD", "/health", port: stack.port).status == 200)
            #expect(try await RawHTTP.send("DELETE", "/tasks/abc/more", port: stack.port).status == 404)
        }
    }

    /// Every kind of error has a type of its own under `/problems/`, never `about:blank`, and
    /// each code of ``DomainError`` renders one distinct type.
    @Test func everyKindOfErrorHasAStableType() async throws {
        let slugs = DomainError.Code.allCases.map { Problem(DomainError($0, operation: "t", "m")).type }
        #expect(Set(slugs).count == slugs.count && slugs.allSatisfy { $0.hasPrefix("/problems/") }, "\(slugs)")
        try await LiveStack.run(startWorker: false) { stack in
            let cases: [(String, String, String?, Bool, String)] = [
                ("GET", "/nothing-here", nil, false, "/problems/not-found"),
                ("DELETE", "/health", nil, false, "/problems/method-not-allowed"),
                ("POST", "/tasks", "{", false, "/problems/bad-request"),
                ("POST", "/tasks", "{}", false, "/problems/validation"),
                ("POST", "/tasks", String(repeating: " ", count: 5000), false, "/problems/too-large"),
                ("POST", "/periodic-tasks", String(repeating: " ", count: 5000), false, "/problems/too-large"),
                ("GET", "/queues", nil, true, "/problems/unauthorized"),
                ("POST", "/internal/reports", "[]", false, "/problems/forbidden"),
            ]
            for (method, path, body, anonymous, type) in cases {
                let response = try await stack.request(method, path, body: body, anonymous: anonymous)
                #expect(response.header("Content-Type") == "application/problem+json", "\(method) \(path)")
                #expect(try stack.json(response)["type"]?.stringValue == type, "\(method) \(path): \(response.text)")
            }
        }
    }

    /// A client that escapes the id (all of it, or only what is not ASCII) reaches the same task.
    @Test func percentEscapedIDsReachTheTask() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            let id = try await stack.enqueue(#"{"task": "celeriac.echo", "queue": "\#(stack.queue)"}"#)
            let escaped = id.utf8.map { String(format: "%%%02X", $0) }.joined()
            let reply = try await stack.request("GET", "/tasks/\(escaped)")
            let found = try stack.json(reply)["id"]?.stringValue
            #expect(reply.status == 200 && found == id, "\(reply.text)")
            #expect(try await stack.request("GET", "/tasks/%E2%9C%93-unknown").status == 404)
            #expect(try await stack.request("GET", "/tasks/%ZZ").status == 404)
            #expect(try await stack.request("GET", "/tasks/a%00b").status == 404)
        }
    }

    @Test func reportsNeedAWorkerToken() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            let batch = #"{"reports": []}"#
            let none = try await stack.request("POST", "/internal/reports", body: batch, anonymous: true)
            #expect(none.status == 401 && none.header("WWW-Authenticate") == #"Bearer realm="celeriac""#)
            #expect(
                try await stack.request("POST", "/internal/reports", body: batch, headers: [("Authorization", "Bearer wrong")])
                    .status == 401)
            // The admin token lacks the worker scope.
            #expect(try await stack.request("POST", "/internal/reports", body: batch).status == 403)
            let worker = [("Authorization", "Bearer \(stack.workerToken)")]
            let ok = try await stack.request("POST", "/internal/reports", body: batch, headers: worker)
            #expect(ok.status < 300, "\(ok.text)")
            #expect(try await stack.request("POST", "/internal/reports", body: "{", headers: worker).status == 400)
        }
    }

    @Test func healthReadyAndOpenAPI() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            #expect(try await stack.request("GET", "/health").status == 200)
            // Ready as soon as Redis answers; PostgreSQL turns "ok" once migrated.
            var postgres = ""
            for _ in 0..<100 where postgres != "ok" {
                let ready = try await stack.request("GET", "/ready")
                #expect(ready.status == 200)
                postgres = try stack.json(ready)["postgres"]?.stringValue ?? ""
                if postgres != "ok" { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(postgres == "ok")
            let spec = try await stack.request("GET", "/openapi.yaml")
            #expect(spec.status == 200 && spec.text.contains("openapi: 3.1"))
        }
    }
}
