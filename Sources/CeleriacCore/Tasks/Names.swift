// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Rules for task and queue names, shared by the API, the worker's flags and the CLI.
public enum Names {
    /// Longest task name in characters; django-celery-results' `task_name` column is `varchar(255)`.
    public static let maxTaskName = 255
    /// Longest task id in characters; django-celery-results' `task_id` column is `varchar(255)`.
    public static let maxTaskID = 255
    /// Longest queue name we accept (kombu has no limit; Redis keys do not either).
    public static let maxQueueName = 200

    /// True when `text` has at most `limit` characters, counted in code points as PostgreSQL
    /// counts a `varchar`'s length (bytes are never fewer, so most text needs no scalar count).
    public static func fits(_ text: String, in limit: Int) -> Bool {
        text.utf8.count <= limit || text.unicodeScalars.count <= limit
    }

    /// Nil when `name` is a usable task name, else why not.
    public static func checkTaskName(_ name: String) -> String? {
        if name.isEmpty { return "must not be empty" }
        if !fits(name, in: maxTaskName) {
            return "longer than \(maxTaskName) characters"
        }
        // Celery's dotted names (`proj.tasks.add`, `celery.backend_cleanup`): words joined by
        // single dots, each of ASCII letters, digits, `_` and `-`, or any character beyond
        // ASCII but C1 controls (Python's identifiers may be in any script). openapi.yaml
        // states the same rule as a pattern.
        var previous: Unicode.Scalar = "."
        for scalar in name.unicodeScalars {
            let allowed: Bool
            switch scalar.value {
            case 0x2E: allowed = previous != "."
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x5F, 0x2D: allowed = true
            case 0...0x7F, 0x80...0x9F: allowed = false
            default: allowed = true
            }
            guard allowed else { return Self.taskNameRule }
            previous = scalar
        }
        return previous == "." ? Self.taskNameRule : nil
    }

    static let taskNameRule = "must be words of letters, digits, _ and - joined by single dots (proj.tasks.add)"

    /// Nil when `name` is a usable queue name: letters, digits, `._:-`, 1–200 bytes.
    public static func checkQueueName(_ name: String) -> String? {
        if name.isEmpty { return "must not be empty" }
        if name.utf8.count > maxQueueName { return "longer than \(maxQueueName) bytes" }
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x5F || byte == 0x3A || byte == 0x2D
        }
        return allowed ? nil : "may contain only letters, digits and . _ : -"
    }
}
