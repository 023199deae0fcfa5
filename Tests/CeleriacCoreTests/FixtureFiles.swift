// Celeriac — a Celery-compatible job service in Swift.

import Foundation

/// Files captured from real Celery 5.7 (copied from shared/reference/celery/fixtures).
enum FixtureFiles {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// Every captured task message (`<case>.json` with a `<case>.decoded.json` twin).
    static var taskMessages: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".decoded.json") }.map { String($0.dropLast(".decoded.json".count)) }.sorted()
    }
}
