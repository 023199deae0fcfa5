// Celeriac — a Celery-compatible job service in Swift.

import CeleriacPostgres
import Foundation

/// A fresh, empty database per suite on the test server, so suites run in parallel.
public enum TestDatabase {
    /// Creates `celeriac_test_<random>` and returns its URL.
    public static func create() async throws -> String {
        let admin = try TestServices.postgresURL
        let name = "celeriac_test_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        let client = PostgresClient(url: admin, size: 1, name: "pg-admin")
        try await client.query("CREATE DATABASE \(name)")  // name is ours: letters, digits, underscore
        return Self.replacingDatabase(in: admin, with: name)
    }

    public static func replacingDatabase(in url: String, with name: String) -> String {
        guard let slash = url.range(of: "/", options: .backwards, range: url.range(of: "://")!.upperBound..<url.endIndex) else {
            return url + "/" + name
        }
        let tail = url[slash.upperBound...]
        let query = tail.firstIndex(of: "?").map { String(tail[$0...]) } ?? ""
        return String(url[..<slash.upperBound]) + name + query
    }
}
