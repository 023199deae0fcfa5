// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacSystem
import Logging
import Testing

@Suite struct LineLogHandlerTests {
    /// Collects the lines a handler writes.
    final class Lines: @unchecked Sendable {
        private let lock = Locked<[String]>([])
        var all: [String] { lock.current }
        func append(_ bytes: [UInt8]) { lock.withLock { $0.append(String(decoding: bytes, as: UTF8.self)) } }
    }

    func logger(_ format: LogFormat, into lines: Lines) -> Logger {
        var logger = Logger(label: "celeriac-test") { label in
            LineLogHandler(label: label, format: format, write: { lines.append($0) })
        }
        logger[metadataKey: "request"] = "r-1"
        return logger
    }

    @Test func jsonLinesCarryLevelMessageAndAllMetadata() throws {
        let lines = Lines()
        let logger = logger(.json, into: lines)
        logger.warning("cannot claim \"now\"", metadata: ["error": "down", "tries": .array(["1", "2"])])
        logger.debug("below the level: not written")
        #expect(lines.all.count == 1)
        let line = try #require(lines.all.first)
        #expect(line.hasSuffix("}\n") && line.filter { $0 == "\n" }.count == 1)
        let json = try JSONValue.parse(Array(line.utf8))
        #expect(json["level"]?.stringValue == "warning" && json["logger"]?.stringValue == "celeriac-test")
        #expect(json["message"]?.stringValue == "cannot claim \"now\"")
        #expect(json["metadata"]?["request"]?.stringValue == "r-1" && json["metadata"]?["error"]?.stringValue == "down")
        #expect(json["metadata"]?["tries"] == ["1", "2"])
        #expect(json["time"]?.stringValue.flatMap(CeleryTime.parse) != nil)
    }

    @Test func textLinesAreReadable() throws {
        let lines = Lines()
        logger(.text, into: lines).info("worker ready", metadata: ["name": "w1"])
        let line = try #require(lines.all.first)
        #expect(line.contains(" info celeriac-test: name=w1 request=r-1 ["))
        #expect(line.hasSuffix("] worker ready\n"))
    }
}
