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

    /// Every captured message of a plain `apply_async` (no canvas), rebuilt from its fields by
    /// the one envelope writer, comes out byte for byte as Celery wrote it: eta, expires (with
    /// kombu's `expiration`), shadow, retries, time limits, groups, priorities, queues.
    @Test(arguments: [
        "plain", "countdown", "eta_expires", "shadow_retries_timelimit", "group.0", "group.1", "priority0", "priority5",
        "priority9", "queue_backups", "unicode_kwargs",
    ])
    func envelopeRebuildsCeleryFixturesByteForByte(_ name: String) throws {
        let raw = try FixtureFiles.bytes("\(name).json")
        let captured = try TaskMessage.decode(raw)
        let headers = captured.headers
        func date(_ key: String) -> Date? { headers[key]?.stringValue.flatMap(CeleryTime.parse) }
        let limits = headers["timelimit"]?.arrayValue ?? []
        let options = TaskOptions(
            queue: captured.queue ?? "celery", priority: captured.priority, eta: date("eta"), expires: date("expires"),
            timeLimit: limits.first?.doubleValue, softTimeLimit: limits.dropFirst().first?.doubleValue,
            retries: captured.retries, parentID: headers["parent_id"]?.stringValue, rootID: headers["root_id"]?.stringValue,
            group: headers["group"]?.stringValue, groupIndex: headers["group_index"]?.intValue.map(Int.init),
            shadow: headers["shadow"]?.stringValue)
        // kombu's `expiration` is the milliseconds left when it was sent.
        var sentAt = Date(timeIntervalSince1970: 0)
        if let expires = options.expires, let left = captured.properties["expiration"]?.stringValue.flatMap(Double.init) {
            sentAt = expires.addingTimeInterval(-(left + 0.5) / 1000)
        }
        let new = TaskMessage.NewTask(
            id: captured.id, task: captured.task, args: captured.args, kwargs: captured.kwargs, options: options,
            origin: headers["origin"]?.stringValue ?? "", replyTo: captured.properties["reply_to"]?.stringValue ?? "",
            deliveryTag: captured.deliveryTag ?? "", sentAt: sentAt)
        #expect(String(decoding: TaskMessage.envelope(new), as: UTF8.self) == String(decoding: raw, as: UTF8.self))
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
