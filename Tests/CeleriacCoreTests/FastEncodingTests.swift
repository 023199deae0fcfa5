// Celeriac — a Celery-compatible job service in Swift.

import Foundation
import Testing

@testable import CeleriacCore

/// The hand-written encoders on the enqueue path against the slow, obvious versions they
/// replaced: same bytes for every input tried.
@Suite struct FastEncodingTests {
    @Test func envelopeMatchesTheGeneralEncoderByteForByte() throws {
        let plain = try TaskMessage.decode(try FixtureFiles.bytes("plain.json"))
        let cases: [(args: [JSONValue], kwargs: [String: JSONValue], queue: String, priority: Int)] = [
            (plain.args, plain.kwargs, "celery", 0),
            ([], [:], "q", 9),
            ([.string("héllo \"quoted\" \\ 👋"), .double(1.5), .null, .bool(true)], ["z": .int(-3), "a": .array([])], "a.b:c", 3),
            ([.object(["callbacks": .int(1), "b": .string("x")])], ["nested": .object(["k": .string("\u{1}\n")])], "x", 0),
        ]
        for (index, item) in cases.enumerated() {
            let id = TaskID.random()
            let tag = TaskID.random()
            let new = TaskMessage.NewTask(
                id: id, task: "tasks.t\(index)", args: item.args, kwargs: item.kwargs, queue: item.queue,
                priority: item.priority, origin: "gen1@vm", replyTo: "r-\(index)", deliveryTag: tag)
            let made = TaskMessage.make(
                id: id, task: "tasks.t\(index)", args: item.args, kwargs: item.kwargs, queue: item.queue,
                priority: item.priority, origin: "gen1@vm", replyTo: "r-\(index)", deliveryTag: tag)
            #expect(String(decoding: TaskMessage.envelope(new), as: UTF8.self) == made.encoded())
            #expect(try TaskMessage.decode(TaskMessage.envelope(new)) == made)
        }
        // The fixture Celery itself wrote comes out byte for byte.
        let new = TaskMessage.NewTask(
            id: plain.id, task: plain.task, args: plain.args, kwargs: plain.kwargs, queue: "celery", priority: 0,
            origin: "gen1763@vm", replyTo: "8db9a5c8-bb74-3004-b67f-ff6c5e42f62b",
            deliveryTag: "67c0ab9c-9c4f-4d76-9e52-409a6086687c")
        #expect(TaskMessage.envelope(new) == Array(try FixtureFiles.bytes("plain.json")))
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

    @Test func taskIDsAreVersion4UUIDs() {
        var seen = Set<String>()
        for _ in 0..<1000 {
            let id = TaskID.random()
            let uuid = UUID(uuidString: id)
            #expect(uuid != nil && uuid?.uuidString.lowercased() == id)
            let scalars = Array(id.utf8)
            #expect(scalars[14] == UInt8(ascii: "4"))
            #expect([UInt8(ascii: "8"), UInt8(ascii: "9"), UInt8(ascii: "a"), UInt8(ascii: "b")].contains(scalars[19]))
            seen.insert(id)
        }
        #expect(seen.count == 1000)
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
