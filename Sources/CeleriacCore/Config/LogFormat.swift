// Celeriac — a Celery-compatible job service in Swift.

/// How log lines are written: `text` (one readable line per event) or `json` (one object per line).
public enum LogFormat: String, Sendable, CaseIterable {
    case text, json
}

/// swift-log's level names, as `CELERIAC_LOG_LEVEL` takes them.
public enum LogLevelName {
    public static let all = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
}
