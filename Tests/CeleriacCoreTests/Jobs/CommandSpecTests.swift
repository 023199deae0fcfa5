// Celeriac — a Celery-compatible job service in Swift.

import Testing

@testable import CeleriacCore

/// Command tasks' configuration, their stdin line and how a result is read from stdout.
@Suite struct CommandSpecTests {
    @Test func anEntryBecomesASpecWithItsSchemaAndDefaults() throws {
        let json = try JSONValue.parse(
            Array(
                #"""
                {"reports.weekly": {"argv": ["/usr/bin/python3", "weekly.py", "--fast"], "cwd": "/opt/jobs",
                  "env": {"LANG": "C.UTF-8"}, "secrets": {"DATABASE_URL": "CELERIAC_DATABASE_URL"}, "summary": "Weekly",
                  "schema": {"fields": [{"name": "week", "type": "string", "required": true}], "allows_others": false}},
                 "tidy": {"argv": ["tidy-up"]}}
                """#.utf8))
        let commands = try CommandSpec.parse(json)
        #expect(commands.map(\.spec.name) == ["reports.weekly", "tidy"])
        let weekly = commands[0]
        #expect(weekly.argv == ["/usr/bin/python3", "weekly.py", "--fast"] && weekly.workingDirectory == "/opt/jobs")
        #expect(weekly.environment == ["LANG": "C.UTF-8"] && weekly.secrets == ["DATABASE_URL": "CELERIAC_DATABASE_URL"])
        #expect(weekly.spec.summary == "Weekly" && weekly.spec.timeLimit == 300)
        #expect(weekly.spec.schema == JobSchema([.init("week", .string, required: true)], allowsOthers: false))
        #expect(commands[1].spec.schema == .open)
    }

    @Test(arguments: [
        #"{"bad name!": {"argv": ["x"]}}"#,
        #"{"t": {"argv": "python3 x.py"}}"#,
        #"{"t": {"argv": []}}"#,
        #"{"t": {"argv": ["x", 3]}}"#,
        #"{"t": {"argv": ["x"], "cwd": "relative"}}"#,
        #"{"t": {"argv": ["x"], "env": {"A B": "1"}}}"#,
        #"{"t": {"argv": ["x"], "secrets": {"A": "postgres://u:p@h/db"}}}"#,
        #"{"t": {"argv": ["x"], "shell": true}}"#,
        #"{"t": {"argv": ["x"], "schema": {"fields": [{"name": "a", "type": "nope"}]}}}"#,
        #"{"t": {"argv": ["x"], "time_limit": -1}}"#,
    ])
    func entriesThatCannotRunStopTheWorker(text: String) throws {
        let json = try JSONValue.parse(Array(text.utf8))
        #expect(throws: ConfigError.self) { _ = try CommandSpec.parse(json) }
    }

    @Test func theResultIsTheLastJSONLineOfStdout() {
        #expect(CommandSpec.result(fromOutput: Array("starting\n{\"a\": 1}\n[1, 2]\ndone\n\n".utf8)) == .array([.int(1), .int(2)]))
        #expect(CommandSpec.result(fromOutput: Array("no json here\n".utf8)) == nil)
        #expect(CommandSpec.result(fromOutput: Array("42\r\n".utf8)) == .int(42))
    }

    @Test func stdinIsOneJSONLine() throws {
        let line = CommandSpec.input(taskID: "t1", args: [.string("$(rm -rf /)")], kwargs: ["k": .string("a\nb")], retries: 2)
        #expect(line.last == 0x0A && line.dropLast().contains(0x0A) == false)
        let parsed = try JSONValue.parse(Array(line.dropLast()))
        #expect(parsed["args"] == .array([.string("$(rm -rf /)")]) && parsed["kwargs"]?["k"] == .string("a\nb"))
        #expect(parsed["task_id"] == .string("t1") && parsed["retries"] == .int(2))
    }
}
