// Celeriac — a Celery-compatible job service in Swift.

import Testing

@testable import CeleriacCore

/// data.load's plan: configuration, page URLs, the upsert statement, values, CSV and pointers.
@Suite struct DataLoadSpecTests {
    static let config = #"""
        {"stations": {"database": "LOAD_DB", "table": "public.station", "key": ["id"], "batch_rows": 500,
          "columns": {"id": {"from": "/id", "type": "integer"}, "name": {"from": "/props/name"},
                      "tags": {"from": "/tags", "type": "jsonb"}, "seen": {"from": "/seen", "type": "timestamptz"}},
          "source": {"url": "https://example.org/api/stations", "records": "/data",
                     "pagination": {"type": "page", "param": "p", "start": 1, "size_param": "per", "size": 100}}}}
        """#

    func load() throws -> DataLoadSpec {
        try #require(try DataLoadSpec.parse(try JSONValue.parse(Array(Self.config.utf8)))["stations"])
    }

    @Test func pagesFollowTheirPaginationAndCarryTheTasksParameters() throws {
        let load = try load()
        let first = load.firstPage(params: ["state": "a b&c"])
        #expect(first == "https://example.org/api/stations?state=a%20b%26c&p=1&per=100")
        #expect(load.nextPage(after: first, index: 0, records: 100, body: nil, params: ["state": "a b&c"])
            == "https://example.org/api/stations?state=a%20b%26c&p=2&per=100")
        #expect(load.nextPage(after: first, index: 4, records: 0, body: nil, params: [:]) == nil)
        var offset = load
        offset.pagination = .offset(param: "offset", sizeParam: "limit", size: 50)
        #expect(offset.nextPage(after: "x", index: 0, records: 50, body: nil, params: [:]) == "https://example.org/api/stations?offset=50&limit=50")
        #expect(offset.nextPage(after: "x", index: 1, records: 49, body: nil, params: [:]) == nil)
        var next = load
        next.pagination = .next(pointer: JSONPointer("/links/next")!)
        #expect(next.nextPage(after: "https://example.org/api/stations?c=1", index: 0, records: 5,
                              body: ["links": ["next": "/api/stations?c=2"]], params: [:]) == "https://example.org/api/stations?c=2")
        #expect(next.nextPage(after: "https://example.org/x", index: 0, records: 5, body: ["links": ["next": .null]], params: [:]) == nil)
    }

    @Test func theUpsertCastsParametersAndUpdatesTheOtherColumns() throws {
        let load = try load()
        #expect(load.upsertSQL(rows: 2) == "INSERT INTO \"public\".\"station\" (\"id\", \"name\", \"seen\", \"tags\") VALUES "
            + "($1::integer, $2::text, $3::timestamptz, $4::jsonb), ($5::integer, $6::text, $7::timestamptz, $8::jsonb) "
            + "ON CONFLICT (\"id\") DO UPDATE SET \"name\" = EXCLUDED.\"name\", \"seen\" = EXCLUDED.\"seen\", \"tags\" = EXCLUDED.\"tags\" "
            + "RETURNING (xmax = 0)")
        #expect(load.rowsPerStatement == 500)
        let values = try load.values(of: ["id": 7, "props": ["name": "Ōsaka"], "tags": ["a", 1], "seen": .null])
        #expect(values == ["7", "Ōsaka", nil, #"["a", 1]"#])
        #expect(load.keyOf(values) == ["7"])
        #expect(throws: LoadValueError.self) { _ = try load.values(of: ["id": ["nested": true]]) }
    }

    @Test(arguments: [
        #"{"l": {"table": "x; DROP TABLE y", "key": ["id"], "columns": {"id": {}}, "source": {"url": "https://e.org"}}}"#,
        #"{"l": {"table": "t", "key": ["nope"], "columns": {"id": {}}, "source": {"url": "https://e.org"}}}"#,
        #"{"l": {"table": "t", "key": ["id"], "columns": {"id\"": {}}, "source": {"url": "https://e.org"}}}"#,
        #"{"l": {"table": "t", "key": ["id"], "columns": {"id": {"type": "money"}}, "source": {"url": "https://e.org"}}}"#,
        #"{"l": {"table": "t", "key": ["id"], "columns": {"id": {}}, "source": {"url": "ftp://e.org"}}}"#,
        #"{"l": {"table": "t", "key": ["id"], "columns": {"id": {}}, "source": {"url": "https://e.org", "pagination": {"type": "offset"}}}}"#,
        #"{"l": {"table": "t", "key": ["id"], "columns": {"id": {}}, "source": {"url": "https://e.org"}, "sql": "DELETE"}}"#,
    ])
    func loadsThatAreNotPlainStopTheWorker(text: String) throws {
        let json = try JSONValue.parse(Array(text.utf8))
        #expect(throws: ConfigError.self) { _ = try DataLoadSpec.parse(json) }
    }

    @Test func csvFieldsMayBeQuotedAndHoldCommasQuotesAndLineBreaks() throws {
        let text = "id,name,note\r\n1,\"Smith, Ann\",\"said \"\"hi\"\"\nthen left\"\n2,Bo,\n"
        #expect(try CSVTable.records(Array(text.utf8)) == [
            ["id": "1", "name": "Smith, Ann", "note": "said \"hi\"\nthen left"], ["id": "2", "name": "Bo", "note": ""],
        ])
        #expect(throws: CSVTable.Malformed.self) { _ = try CSVTable.records(Array("a,b\n1,2,3\n".utf8)) }
        #expect(throws: CSVTable.Malformed.self) { _ = try CSVTable.records(Array("a\n\"open\n".utf8)) }
        #expect(throws: CSVTable.Malformed.self) { _ = try CSVTable.records(Array("a\nx\"y\n".utf8)) }
    }

    @Test func pointersFollowRFC6901() throws {
        let document: JSONValue = ["a/b": ["m~n": [10, 20]], "": 1]
        #expect(JSONPointer("/a~1b/m~0n/1")?.value(in: document) == 20)
        #expect(JSONPointer("")?.value(in: document) == document)
        #expect(JSONPointer("/")?.value(in: document) == 1)
        #expect(JSONPointer("/a~1b/m~0n/5")?.value(in: document) == nil)
        #expect(JSONPointer("no-slash") == nil)
    }
}
