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
        // ASCII names (nearly all) are checked by byte; others by Unicode category.
        let refused =
            name.utf8.allSatisfy { $0 < 0x80 }
            ? name.utf8.contains { $0 <= 0x20 || $0 == 0x7F }
            : name.unicodeScalars.contains { $0.properties.generalCategory == .control || $0 == " " }
        if refused {
            return "must not contain spaces or control characters"
        }
        return nil
    }

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
