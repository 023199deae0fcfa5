// Celeriac — a Celery-compatible job service in Swift.

import Foundation
import Testing

@testable import CeleriacCore

@Suite struct WireDetailsTests {
    @Test func priorityListsMatchKombu() throws {
        // queue_cases_index.json: which list each captured priority landed in.
        let index = try JSONValue.parse(try FixtureFiles.bytes("queue_cases_index.json"))
        for (name, priority) in [("priority0", 0), ("priority5", 5), ("priority9", 9), ("queue_backups", 0)] {
            // The index writes the separator escaped, as Python printed it.
            let listKey = try #require(index[name]?["messages"]?.arrayValue?.first?["list_key"]?.stringValue)
                .replacingOccurrences(of: "\\x06\\x16", with: "\u{06}\u{16}")
            let message = try TaskMessage.decode(try FixtureFiles.bytes("\(name).json"))
            #expect(message.priority == priority)
            #expect(RedisKeys.queue(message.queue ?? "", priority: message.priority) == listKey)
        }
    }

    @Test func pollOrderServesLowStepsFirst() {
        #expect(RedisKeys.pollOrder(["celery", "backups"]) == [
            "celery", "backups", "celery\u{06}\u{16}3", "backups\u{06}\u{16}3", "celery\u{06}\u{16}6",
            "backups\u{06}\u{16}6", "celery\u{06}\u{16}9", "backups\u{06}\u{16}9",
        ])
    }

    @Test func jsonTextEscapesLikePython() {
        // json.dumps(["😀", "é\u0001", "a\"b\\c\n"]) in Python 3.11:
        #expect(JSONValue.array(["😀", "é\u{01}", "a\"b\\c\n"]).jsonText == #"["\ud83d\ude00", "\u00e9\u0001", "a\"b\\c\n"]"#)
        #expect(JSONValue.object(["b": .double(1.5), "a": .null, "c": [true, false]]).jsonText == #"{"a": null, "b": 1.5, "c": [true, false]}"#)
    }

    @Test func pythonReprOfArguments() {
        #expect(PythonRepr.tuple([2, 3]) == "(2, 3)")
        #expect(PythonRepr.tuple(["hi"]) == "('hi',)")
        #expect(PythonRepr.tuple([]) == "()")
        #expect(PythonRepr.of(.object(["greeting": "안녕", "n": 1])) == "{'greeting': '안녕', 'n': 1}")
        #expect(PythonRepr.of([.null, .bool(true), .double(1.5), "it's"]) == #"[None, True, 1.5, "it's"]"#)
        #expect(PythonRepr.of("a\"b'c\u{01}\\") == #"'a"b\'c\x01\\'"#)
    }

    @Test func jsonWriterEscapesLikePython() {
        #expect(JSONValue.string("a\"b\\c\n\u{1}é😀").jsonText == #""a\"b\\c\n\u0001\u00e9\ud83d\ude00""#)
        #expect(JSONValue.double(2).jsonText == "2.0")
        #expect(JSONValue.object(["b": 1, "a": [.null]]).jsonText == #"{"a": [null], "b": 1}"#)
    }

    @Test func celeryTimeFormatsMicroseconds() throws {
        let date = Date(timeIntervalSince1970: 1_795_482_525.777733)
        #expect(CeleryTime.format(date) == "2026-11-24T01:08:45.777733+00:00")
        let parsed = try #require(CeleryTime.parse("2026-11-24T01:08:59.011133+00:00"))
        #expect(abs(parsed.timeIntervalSince1970 - 1_795_482_539.011133) < 0.001)
        #expect(CeleryTime.parse("yesterday") == nil)
    }

    @Test(arguments: [
        ("redis://127.0.0.1:6399/15", RedisURL(host: "127.0.0.1", port: 6399, database: 15)),
        ("redis://:s3cret@cache:6380", RedisURL(host: "cache", port: 6380, password: "s3cret")),
        ("redis://app:p%40ss@cache/2", RedisURL(host: "cache", database: 2, username: "app", password: "p@ss")),
        ("redis://", RedisURL()),
    ])
    func parsesRedisURLs(_ text: String, _ expected: RedisURL) throws {
        #expect(try RedisURL(parsing: text) == expected)
    }

    @Test(arguments: ["http://x", "redis://h:0", "redis://h:99999", "redis://h/x"])
    func rejectsBadRedisURLs(_ text: String) {
        #expect(throws: ConfigError.self) { try RedisURL(parsing: text) }
    }

    /// Fuzzing the URL parser on random text built from the characters it cares about (its
    /// percent-decoding has its own differential test): no crash, and what it accepts is usable.
    @Test func redisURLsSurviveRandomText() {
        var g = JSONParserTests.Generator(state: 77)
        let pieces = ["redis://", "%", "%4", "%40", "%e9", "%C3%A9", "%ZZ", "%ff", ":", "@", "/", "0", "65535", "99999",
                      "-1", "a", "é", "😀", " ", "?"]
        for _ in 0..<5000 {
            let text = (0..<Int.random(in: 0...8, using: &g)).map { _ in pieces.randomElement(using: &g)! }.joined()
            if let url = try? RedisURL(parsing: text) {
                #expect((1...65535).contains(url.port) && url.database >= 0, "\(text)")
            }
        }
    }

    @Test func redisURLDescriptionHidesPassword() throws {
        #expect(!(try RedisURL(parsing: "redis://:s3cret@h:1/0")).description.contains("s3cret"))
    }

    @Test func settingsRejectBadValues() {
        #expect(throws: ConfigError.self) { try Settings(environment: ["CELERIAC_PORT": "http"]) }
        #expect(throws: ConfigError.self) { try Settings(environment: ["CELERIAC_CONCURRENCY": "0"]) }
        #expect(throws: ConfigError.self) { try Settings(environment: ["CELERIAC_LOG_LEVEL": "loud"]) }
        #expect(throws: ConfigError.self) { try Settings(environment: ["CELERIAC_LOG_FORMAT": "xml"]) }
        #expect((try? Settings(environment: ["CELERIAC_LOG_FORMAT": "json"]))?.logFormat == .json)
        #expect(throws: ConfigError.self) { try Settings(environment: ["CELERIAC_QUEUES": "ok,not ok"]) }
        let defaults = try? Settings(environment: [:])
        #expect(defaults?.port == 8080 && defaults?.host == "127.0.0.1" && defaults?.apiURL == "http://127.0.0.1:8080")
    }

    @Test func historyPendingIsOffUnlessTurnedOn() throws {
        #expect(try Settings(environment: [:]).historyPending == false)
        for on in ["1", "true", "TRUE", "yes", "on"] {
            #expect(try Settings(environment: ["CELERIAC_HISTORY_PENDING": on]).historyPending, "\(on)")
        }
        for off in ["0", "false", "no", "Off"] {
            #expect(try Settings(environment: ["CELERIAC_HISTORY_PENDING": off]).historyPending == false, "\(off)")
        }
        #expect(throws: ConfigError.self) { try Settings(environment: ["CELERIAC_HISTORY_PENDING": "maybe"]) }
        #expect(throws: ConfigError.self) { try Settings(environment: ["CELERIAC_HISTORY_PENDING": ""]) }
    }
}
