// Celeriac — a Celery-compatible job service in Swift.

@testable import CeleriacCore
import Testing

/// Row counts read from a plain pg_dump stream, however it is cut into chunks.
@Suite struct DumpRowCounterTests {
    static let dump = """
        --
        -- PostgreSQL database dump
        --
        CREATE TABLE public.orders (id integer, note text);
        COPY public.orders (id, note) FROM stdin;
        1\tfirst\\nline
        2\t\\\\.
        3\t\\N
        \\.

        COPY public."Order Lines" ("order", "a ""b"" (c)") FROM stdin;
        1\tx
        \\.

        COPY public.empty FROM stdin;
        \\.

        COPY "Sales".t2 (id) FROM stdin;
        \\.
        -- a COPY in a comment: COPY x FROM stdin;
        SELECT 'COPY public.fake (a) FROM stdin;';

        """

    static let expected: JSONValue = ["public.orders": 3, "public.\"Order Lines\"": 1, "public.empty": 0, "\"Sales\".t2": 0]

    @Test func countsEachTablesRowsInOneChunk() {
        var counter = DumpRowCounter()
        counter.feed(Array(Self.dump.utf8))
        #expect(counter.json == Self.expected)
        #expect(counter.tables.map(\.name) == ["public.orders", "public.\"Order Lines\"", "public.empty", "\"Sales\".t2"])
    }

    @Test func anyCutGivesTheSameCounts() {
        let bytes = Array(Self.dump.utf8)
        for cut in 1..<bytes.count {
            var counter = DumpRowCounter()
            counter.feed(Array(bytes[..<cut]))
            counter.feed(Array(bytes[cut...]))
            #expect(counter.json == Self.expected, "cut at \(cut)")
        }
        var generator = SeededGenerator(state: 27)
        for _ in 0..<200 {
            var counter = DumpRowCounter(), start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + Int.random(in: 1...40, using: &generator))
                counter.feed(Array(bytes[start..<end]))
                start = end
            }
            #expect(counter.json == Self.expected)
        }
    }

    @Test func aTableNameIsReadOnlyFromAWellFormedCopyLine() {
        func table(_ line: String) -> String? { DumpRowCounter.table(in: Array(line.utf8)) }
        #expect(table("COPY public.t (a, b) FROM stdin;") == "public.t")
        #expect(table("COPY public.\"x y\" FROM stdin;") == "public.\"x y\"")
        #expect(table("COPY public.\"unterminated FROM stdin;") == nil)
        #expect(table("COPY public.t junk FROM stdin;") == nil)
        #expect(table("COPY  FROM stdin;") == nil)
        #expect(table("COPY public.t (a) TO stdout;") == nil)
    }

    @Test func randomBytesNeverTrap() {
        var generator = SeededGenerator(state: 8291)
        let alphabet = Array("COPY \\.\n\"()t FROM stdin;ab".utf8)
        for _ in 0..<2000 {
            var counter = DumpRowCounter()
            counter.feed((0..<Int.random(in: 0...300, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            _ = counter.json
        }
    }

    @Test func hexIsWhatSha256sumPrints() {
        #expect(Hex.encode([0x00, 0x0F, 0xA0, 0xFF]) == "000fa0ff")
        #expect(Hex.encode([]).isEmpty)
        #expect(Hex.decode("000fa0ff") == [0x00, 0x0F, 0xA0, 0xFF] && Hex.decode("0") == nil && Hex.decode("0G") == nil)
    }
}
