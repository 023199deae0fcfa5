// Celeriac — a Celery-compatible job service in Swift.

import Foundation
import Testing

@testable import CeleriacCore

/// The hand-written parser against Foundation's `JSONSerialization` (the reference) on
/// generated documents, and on inputs that must be refused.
@Suite struct JSONParserTests {
    typealias Generator = SeededGenerator

    static let alphabet: [String] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{01}", "é", "안", "😀", "\u{7F}"]

    static func randomValue(_ g: inout Generator, depth: Int) -> JSONValue {
        switch Int.random(in: 0..<(depth > 4 ? 6 : 8), using: &g) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &g))
        case 2: return .int(Int64.random(in: Int64.min...Int64.max, using: &g) >> Int64.random(in: 0...63, using: &g))
        case 3: return .double(Double.random(in: -1e6...1e6, using: &g))
        case 4, 5:
            return .string((0..<Int.random(in: 0...12, using: &g)).map { _ in alphabet.randomElement(using: &g)! }.joined())
        case 6: return .array((0..<Int.random(in: 0...5, using: &g)).map { _ in randomValue(&g, depth: depth + 1) })
        default:
            var object: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...5, using: &g) {
                object["k\(Int.random(in: 0...20, using: &g))"] = randomValue(&g, depth: depth + 1)
            }
            return .object(object)
        }
    }

    /// What JSONSerialization made of the text, in our terms (numbers compared as Doubles).
    static func same(_ ours: JSONValue, _ reference: Any) -> Bool {
        switch ours {
        case .null: return reference is NSNull
        case .bool(let b): return (reference as? NSNumber)?.boolValue == b
        case .int(let i): return (reference as? NSNumber).map { $0.int64Value == i || $0.doubleValue == Double(i) } ?? false
        case .double(let d): return (reference as? NSNumber).map { abs($0.doubleValue - d) <= abs(d) * 1e-15 } ?? false
        case .string(let s): return (reference as? String) == s
        case .array(let items):
            guard let other = reference as? [Any], other.count == items.count else { return false }
            return zip(items, other).allSatisfy { same($0, $1) }
        case .object(let members):
            guard let other = reference as? [String: Any], other.count == members.count else { return false }
            return members.allSatisfy { key, value in other[key].map { same(value, $0) } ?? false }
        }
    }

    @Test(arguments: 0..<20)
    func agreesWithJSONSerializationOnGeneratedDocuments(seed: Int) throws {
        var g = Generator(state: UInt64(seed))
        for _ in 0..<100 {
            let value = Self.randomValue(&g, depth: 0)
            let text = value.jsonText
            let parsed = try JSONValue.parse(text)
            #expect(parsed.jsonText == text, "seed \(seed): \(text)")
            let reference = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            #expect(Self.same(parsed, reference), "seed \(seed): \(text)")
        }
    }

    /// Fuzzing: generated documents with random damage (bytes flipped, inserted, removed,
    /// cut short, spliced). The parser must never crash, and must accept exactly what
    /// JSONSerialization accepts; where both accept, they must read the same value.
    static func hasTrailingComma(_ bytes: [UInt8]) -> Bool {
        let significant = bytes.filter { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        return zip(significant, significant.dropFirst()).contains { $0 == UInt8(ascii: ",") && ($1 == UInt8(ascii: "]") || $1 == UInt8(ascii: "}")) }
    }

    static func containsReplacementCharacter(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let s): s.unicodeScalars.contains("\u{FFFD}")
        case .array(let items): items.contains(where: containsReplacementCharacter)
        case .object(let members): members.contains { $0.key.unicodeScalars.contains("\u{FFFD}") || containsReplacementCharacter($0.value) }
        default: false
        }
    }

    @Test(arguments: 0..<20)
    func damagedDocumentsAreAcceptedExactlyWhenJSONSerializationAcceptsThem(seed: Int) throws {
        var g = Generator(state: UInt64(1000 + seed))
        let interesting = Array("{}[]\",:.-+eE0123456789tfnu \u{7F}".utf8) + [0x00, 0x1F, 0x80, 0xC3, 0xED, 0xF0, 0xFF]
        for _ in 0..<1000 {
            var bytes = Array(Self.randomValue(&g, depth: 0).jsonText.utf8)
            for _ in 0..<Int.random(in: 1...3, using: &g) {
                let at = Int.random(in: 0...bytes.count, using: &g)
                let byte = Bool.random(using: &g) ? interesting.randomElement(using: &g)! : UInt8.random(in: 0...255, using: &g)
                switch Int.random(in: 0..<5, using: &g) {
                case 0 where at < bytes.count: bytes[at] = byte
                case 1: bytes.insert(byte, at: at)
                case 2 where at < bytes.count: bytes.remove(at: at)
                case 3: bytes.removeLast(bytes.count - at)
                default: bytes.insert(contentsOf: bytes[at...].prefix(8), at: at)
                }
            }
            let ours = try? JSONValue.parse(bytes)
            let reference = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
            let text = String(decoding: bytes, as: UTF8.self)
            // The one intended difference: a lone surrogate escape (`"\ud83d"` cut from its
            // pair) reads as U+FFFD, as Python's json accepts it; JSONSerialization refuses.
            // The generator never writes U+FFFD itself, so one in our value came from that.
            if let ours, reference == nil, Self.containsReplacementCharacter(ours) { continue }
            // Where JSONSerialization is lenient and RFC 8259 (and Python) are not: it reads up
            // to a NUL byte and ignores the rest, and it takes a trailing comma (`[1,]`).
            if ours == nil, reference != nil, bytes.contains(0) || Self.hasTrailingComma(bytes) { continue }
            #expect((ours != nil) == (reference != nil), "seed \(seed): \(bytes) \(text)")
            if let ours, let reference { #expect(Self.same(ours, reference), "seed \(seed): \(text)") }
        }
    }

    @Test(arguments: [
        "", " ", "{", "}", "[", "[1,]", "[1 2]", "{\"a\" 1}", "{\"a\":}", "{a: 1}", "{\"a\":1,}", "01", "-", "1.", ".5",
        "1e", "+1", "NaN", "Infinity", "tru", "nul", "\"abc", "\"\\x\"", "\"\\u12\"", "\"a\u{01}b\"", "[1] x", "1e999",
        "{\"a\":1}}", "\"\\", "[\"\\ud800\\u\"]",
    ])
    func refusesWhatIsNotJSON(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    @Test func refusesInvalidUTF8AndDeepNesting() {
        #expect(throws: JSONParseError.self) { try JSONValue.parse([0x22, 0xFF, 0xFE, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSONValue.parse([0x22, 0x5C, 0x6E, 0xFF, 0x22]) }  // after an escape
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
        let fine = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(throws: Never.self) { try JSONValue.parse(fine) }
    }

    @Test func limitsBoundNestingAndStringLength() throws {
        let limits = JSONLimits(maxDepth: 3, maxStringBytes: 8)
        #expect(try JSONValue.parse(Array("[[[1]]]".utf8), limits: limits) == .array([.array([.array([.int(1)])])]))
        #expect(throws: JSONParseError(reason: "nested deeper than 3 levels at byte 3")) {
            try JSONValue.parse(Array(#"[[[{"a": 1}]]]"#.utf8), limits: limits)
        }
        // Eight bytes as sent: escapes count as their bytes, keys like values.
        #expect(try JSONValue.parse(Array(#"{"12345678": "\n\n\n\n"}"#.utf8), limits: limits)["12345678"] == .string("\n\n\n\n"))
        for long in [#"["123456789"]"#, #"{"123456789": 1}"#, #"["\u00e9\u00e9"]"#] {
            #expect(throws: JSONParseError.self, "\(long)") { try JSONValue.parse(Array(long.utf8), limits: limits) }
        }
        // Whatever the limits say, nesting stops at the parser's own bound.
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(Array(deep.utf8), limits: JSONLimits(maxDepth: 10_000, maxStringBytes: 10)) }
    }

    @Test func numbersAndEscapesFollowPython() throws {
        #expect(try JSONValue.parse("1") == .int(1))
        #expect(try JSONValue.parse("1.0") == .double(1.0))
        #expect(try JSONValue.parse("-0") == .int(0))
        #expect(try JSONValue.parse("1e2") == .double(100))
        #expect(try JSONValue.parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try JSONValue.parse(#""\ud83d\ude00\u00e9\/\n""#) == .string("😀é/\n"))
        #expect(try JSONValue.parse(#""\ud800x""#) == .string("\u{FFFD}x"))
        #expect(try JSONValue.parse(#"{"a": 1, "a": 2}"#) == .object(["a": 2]))
        #expect(try JSONValue.parse(" \t\r\n[ ] ") == .array([]))
    }
}
