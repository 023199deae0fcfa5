// Celeriac — a Celery-compatible job service in Swift.

import Foundation
import Testing

@testable import CeleriacCore

/// The hand-written encoders on the enqueue path against the slow, obvious versions they
/// replaced: same bytes for every input tried.
@Suite struct FastEncodingTests {
    /// The obvious version: the message as dictionaries, through the general encoder.
    static func reference(_ new: TaskMessage.NewTask) -> TaskMessage {
        let o = new.options
        func seconds(_ value: Double?) -> JSONValue { value.map { .int(Int64($0)) } ?? .null }
        var headers: [String: JSONValue] = [
            "lang": "py", "task": .string(new.task), "id": .string(new.id), "shadow": o.shadow.map(JSONValue.string) ?? .null,
            "eta": o.eta.map { .string(CeleryTime.format($0)) } ?? .null,
            "expires": o.expires.map { .string(CeleryTime.format($0)) } ?? .null,
            "group": o.group.map(JSONValue.string) ?? .null, "group_index": o.groupIndex.map { .int(Int64($0)) } ?? .null,
            "retries": .int(Int64(o.retries)), "timelimit": .array([seconds(o.timeLimit), seconds(o.softTimeLimit)]),
            "root_id": .string(o.rootID ?? new.id), "parent_id": o.parentID.map(JSONValue.string) ?? .null,
            "argsrepr": .string(PythonRepr.tuple(new.args)), "kwargsrepr": .string(PythonRepr.of(.object(new.kwargs))),
            "origin": .string(new.origin), "ignore_result": .bool(o.ignoreResult), "replaced_task_nesting": .int(0),
            "stamped_headers": .null, "stamps": .object([:]),
        ]
        for (name, value) in o.headers where headers[name] == nil { headers[name] = value }
        var properties: [String: JSONValue] = [
            "correlation_id": .string(new.id), "reply_to": .string(new.replyTo), "delivery_mode": .int(2),
            "delivery_info": .object(["exchange": "", "routing_key": .string(o.queue)]),
            "priority": .int(Int64(o.priority)), "body_encoding": "base64", "delivery_tag": .string(new.deliveryTag),
        ]
        if let expires = o.expires {
            properties["expiration"] = .string(String(Int64(max(0, expires.timeIntervalSince(new.sentAt)) * 1000)))
        }
        return TaskMessage(args: new.args, kwargs: new.kwargs, embed: TaskMessage.emptyEmbed, headers: headers, properties: properties)
    }

    @Test func envelopeMatchesTheGeneralEncoderByteForByte() throws {
        let plain = try TaskMessage.decode(try FixtureFiles.bytes("plain.json"))
        let sent = Date(timeIntervalSince1970: 1_800_000_000.25)
        let cases: [(args: [JSONValue], kwargs: [String: JSONValue], options: TaskOptions)] = [
            (plain.args, plain.kwargs, TaskOptions()),
            ([], [:], TaskOptions(queue: "q", priority: 9)),
            ([.string("héllo \"quoted\" \\ 👋"), .double(1.5), .null, .bool(true)], ["z": .int(-3), "a": .array([])],
             TaskOptions(queue: "a.b:c", priority: 3, eta: sent.addingTimeInterval(5), expires: sent.addingTimeInterval(60.5))),
            ([.object(["callbacks": .int(1), "b": .string("x")])], ["nested": .object(["k": .string("\u{1}\n")])],
             TaskOptions(
                queue: "x", timeLimit: 600, softTimeLimit: 540, retries: 2, parentID: "p", rootID: "r", group: "g",
                groupIndex: 1, shadow: "alias", ignoreResult: true, headers: ["tenant": "acme", "eta": "ignored", "b": [1]])),
        ]
        for (index, item) in cases.enumerated() {
            let new = TaskMessage.NewTask(
                id: "id-\(index)", task: "tasks.t\(index)", args: item.args, kwargs: item.kwargs, options: item.options,
                origin: "gen1@vm", replyTo: "r-\(index)", deliveryTag: "tag-\(index)", sentAt: sent)
            let expected = Self.reference(new)
            #expect(String(decoding: TaskMessage.envelope(new), as: UTF8.self) == expected.encoded())
            #expect(try TaskMessage.decode(TaskMessage.envelope(new)) == expected)
        }
    }

    @Test func stringsAreEscapedLikePythonsJSONDumps() {
        // Python's rule (json.dumps, ensure_ascii): short escapes for " \\ \n \r \t \b \f,
        // everything else outside space…tilde as \uXXXX of its UTF-16 units.
        func python(_ s: String) -> String {
            var out = "\""
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case "\u{08}": out += "\\b"
                case "\u{0C}": out += "\\f"
                case " "..."~": out.unicodeScalars.append(scalar)
                default:
                    for unit in String(scalar).utf16 {
                        let hex = String(unit, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    }
                }
            }
            return out + "\""
        }
        let pieces = ["a", "Z", "0", " ", "~", "\"", "\\", "\n", "\r", "\t", "\u{08}", "\u{0C}", "\u{01}", "\u{1F}", "\u{7F}", "é", "€", "😀", "'", "/"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            // Short strings (stored inline) and long ones; mostly plain, some with one odd piece.
            let length = Bool.random(using: &generator) ? Int.random(in: 0...15, using: &generator) : Int.random(in: 16...300, using: &generator)
            let plain = Int.random(in: 0..<3, using: &generator) > 0
            let s = String((0..<length).map { _ in
                Character(plain ? pieces[Int.random(in: 0..<3, using: &generator)] : pieces.randomElement(using: &generator)!)
            })
            var writer = JSONWriter()
            writer.writeString(s)
            #expect(writer.output == python(s), "\(s.debugDescription)")
        }
    }

    @Test func base64MatchesFoundation() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<200 {
            let input = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var out: [UInt8] = []
            Base64.append(input, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == Data(input).base64EncodedString(), "length \(length)")
        }
    }

    @Test func unixSecondsMatchPrintf() {
        var generator = SystemRandomNumberGenerator()
        let samples: [Double] = [0, 0.5, 1, 1.0000005, 1_764_000_000.123456, 1_764_000_000.9999996, 59.9999999]
            + (0..<500).map { _ in Double.random(in: 0..<4_000_000_000, using: &generator) }
        for unix in samples {
            #expect(ASCIIDigits.unixSeconds(unix) == String(format: "%.6f", unix), "\(unix)")
        }
    }

    @Test func celeryTimeIsPythonIsoformat() {
        #expect(CeleryTime.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000000+00:00")
        #expect(CeleryTime.format(Date(timeIntervalSince1970: 1_763_946_525.792897)) == "2025-11-24T01:08:45.792897+00:00")
        #expect(CeleryTime.format(Date(timeIntervalSince1970: 1_763_946_525.9999999)) == "2025-11-24T01:08:46.000000+00:00")
        let date = Date(timeIntervalSince1970: 4_102_444_799.25)
        #expect(CeleryTime.format(date) == "2099-12-31T23:59:59.250000+00:00")
        #expect(CeleryTime.parse(CeleryTime.format(date)) == date)
    }

    @Test func taskIDsAreVersion4UUIDText() {
        for bytes in [[UInt8](repeating: 0xFF, count: 16), [UInt8](repeating: 0, count: 16), (0..<16).map { UInt8($0 * 17) }] {
            let id = TaskID.format(randomBytes: bytes)
            let uuid = UUID(uuidString: id)
            #expect(uuid != nil && uuid?.uuidString.lowercased() == id)
            let scalars = Array(id.utf8)
            #expect(scalars[14] == UInt8(ascii: "4"))
            #expect([UInt8(ascii: "8"), UInt8(ascii: "9"), UInt8(ascii: "a"), UInt8(ascii: "b")].contains(scalars[19]))
        }
        #expect(TaskID.format(randomBytes: (0..<16).map { UInt8($0) }) == "00010203-0405-4607-8809-0a0b0c0d0e0f")
    }
}

/// The small replacements for Foundation-only string helpers (the worker links
/// FoundationEssentials only) against Foundation itself.
@Suite struct EssentialsOnlyHelpersTests {
    @Test func percentDecodingMatchesFoundation() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["%", "%4", "%40", "%2F", "%zz", "%e2%82%ac", "%FF", "%c3", "a", "é", "@", ":", "%%41", "%0"]
        for _ in 0..<2000 {
            let text = (0..<Int.random(in: 0...6, using: &generator))
                .map { _ in pieces.randomElement(using: &generator)! }.joined()
            #expect(text.removingPercentEncodingSafely == (text.removingPercentEncoding ?? text), "\(text)")
        }
    }

    @Test func queueNamesAreTrimmedAndPointersEscaped() throws {
        let settings = try Settings(environment: ["CELERIAC_QUEUES": " a , b\t,c"])
        #expect(settings.queues == ["a", "b", "c"])
        #expect(EnqueueRequest.escape("a/b~c") == "a~1b~0c")
    }
}
