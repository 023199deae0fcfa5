// Celeriac — a Celery-compatible job service in Swift.

import Foundation
import Testing

@testable import CeleriacCore

@Suite struct TaskMessageCodecTests {
    @Test func everyFixtureIsPresent() {
        #expect(FixtureFiles.taskMessages.count == 17)
    }

    @Test(arguments: FixtureFiles.taskMessages)
    func decodesAndReencodesEquivalently(_ name: String) throws {
        let raw = try FixtureFiles.bytes("\(name).json")
        let decodedFixture = try JSONValue.parse(try FixtureFiles.bytes("\(name).decoded.json"))
        let message = try TaskMessage.decode(raw)

        // The decoded body matches what Python decoded.
        let body = try #require(decodedFixture["body"]?.arrayValue)
        #expect(JSONValue.array(message.args) == body[0])
        #expect(JSONValue.object(message.kwargs) == body[1])
        #expect(JSONValue.object(message.embed) == body[2])
        #expect(JSONValue.object(message.headers) == decodedFixture["headers"])
        #expect(message.id == decodedFixture["headers"]?["id"]?.stringValue)

        // Re-encoding gives an equivalent envelope and body.
        let reencoded = message.encoded()
        let original = try JSONValue.parse(raw)
        let again = try JSONValue.parse(reencoded)
        #expect(again["headers"] == original["headers"])
        #expect(again["properties"] == original["properties"])
        #expect(again["content-type"] == original["content-type"])
        let againBody = try TaskMessage.decode(Array(reencoded.utf8))
        #expect(againBody == message)
    }

    @Test func plainMessageReencodesByteForByte() throws {
        let raw = try FixtureFiles.bytes("plain.json")
        #expect(try TaskMessage.decode(raw).encoded() == String(decoding: raw, as: UTF8.self))
    }

    @Test func unicodeIsEscapedLikePython() throws {
        let raw = try FixtureFiles.bytes("unicode_kwargs.json")
        let message = try TaskMessage.decode(raw)
        #expect(message.kwargs["greeting"] == .string("안녕"))
        #expect(message.encodedBody().contains("\\uc548\\ub155"))
        #expect(message.encoded() == String(decoding: raw, as: UTF8.self))
    }

    @Test func typedAccessorsReadCeleryFields() throws {
        let eta = try TaskMessage.decode(try FixtureFiles.bytes("eta_expires.json"))
        #expect(eta.eta != nil && CeleryTime.parse(eta.eta!) != nil)
        #expect(eta.expires != nil)
        let priority = try TaskMessage.decode(try FixtureFiles.bytes("priority9.json"))
        #expect(priority.priority == 9)
        let backups = try TaskMessage.decode(try FixtureFiles.bytes("queue_backups.json"))
        #expect(backups.queue == "backups")
        let retried = try TaskMessage.decode(try FixtureFiles.bytes("shadow_retries_timelimit.json"))
        #expect(retried.retries == 2)
        // What reports carry (0...2³¹−1), whatever a producer wrote.
        var odd = retried
        odd.headers["retries"] = -3
        #expect(odd.retries == 0)
        odd.headers["retries"] = .int(Int64.max)
        #expect(odd.retries == Int(Int32.max))
    }

    @Test func madeMessageMatchesCeleryLayout() throws {
        let plain = try TaskMessage.decode(try FixtureFiles.bytes("plain.json"))
        let made = TaskMessage.make(
            id: plain.id, task: plain.task, args: plain.args, kwargs: plain.kwargs, queue: "celery", priority: 0,
            origin: "gen1763@vm", replyTo: "8db9a5c8-bb74-3004-b67f-ff6c5e42f62b",
            deliveryTag: "67c0ab9c-9c4f-4d76-9e52-409a6086687c")
        #expect(made == plain)
        #expect(made.encoded() == String(decoding: try FixtureFiles.bytes("plain.json"), as: UTF8.self))
    }

    @Test(arguments: [
        ("not json", "envelope"),
        (#"[1]"#, "not an object"),
        (#"{"headers": {"id": "x"}, "body": ""}"#, "no task header"),
        (#"{"headers": {"task": "t"}, "body": ""}"#, "no id header"),
        (#"{"headers": {"task": "t", "id": "x"}, "body": "%%%"}"#, "not base64"),
        (#"{"headers": {"task": "t", "id": "x"}, "body": "e30="}"#, "not [args, kwargs, embed]"),
        (#"{"content-type": "application/x-python-serialize", "headers": {"task": "t", "id": "x"}, "body": ""}"#, "content-type"),
        (#"{"headers": {"task": "t", "id": "x"}, "body": "WzEsIHt9LCB7fV0="}"#, "args is not an array"),
        (#"{"headers": {"task": "t", "id": ""#  + String(repeating: "x", count: 256) + #""}, "body": ""}"#, "longer than 255"),
    ])
    func rejectsMalformedMessages(_ input: String, _ reason: String) {
        #expect {
            try TaskMessage.decode(Array(input.utf8))
        } throws: { error in
            (error as? MalformedMessage)?.reason.contains(reason) == true
        }
    }
}
