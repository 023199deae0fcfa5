// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacRedis
import CeleriacSystem
import Foundation
import Logging

/// Which task names `POST /tasks` accepts (DESIGN §6): those our workers announced
/// (``TaskRegistry``), with their arguments checked against the job's schema, and those
/// `CELERIAC_TASKS_ALLOWED` names or prefixes (tasks of Celery workers). While no worker
/// ever announced anything and nothing is allowed by configuration, every name is accepted,
/// with a warning per name, so a queue can be filled before its first worker starts.
final class KnownTasks: Sendable {
    let registry: TaskRegistry
    /// Exact names and prefixes (`reports.*` → `reports.`) from configuration.
    let allowedNames: Set<String>
    let allowedPrefixes: [String]
    let clock: any WallClock
    let logger: Logger
    /// How old the copy of the registry may be before a request reads it again; a name not
    /// in it is looked up again after `missInterval` (a worker that just started).
    static let maxAge: TimeInterval = 2
    static let missInterval: TimeInterval = 0.25

    private struct Snapshot {
        var entries: [String: TaskRegistry.Entry] = [:]
        var readAt: Date?
    }
    private let snapshot = Locked(Snapshot())
    private let warned = Locked(Set<String>())
    /// When live Celery workers were last asked for their names (at most every `askInterval`,
    /// each time waiting at most `askBudget` for their replies).
    private let lastAsked = Locked<Date?>(nil)
    static let askInterval: TimeInterval = 10
    static let askBudget: Duration = .seconds(1)

    init(registry: TaskRegistry, allowed: [String], clock: any WallClock, logger: Logger) {
        self.registry = registry
        allowedNames = Set(allowed.filter { !$0.hasSuffix("*") })
        allowedPrefixes = allowed.filter { $0.hasSuffix("*") }.map { String($0.dropLast()) }
        self.clock = clock
        self.logger = logger
    }

    /// Whether a name is accepted without a worker's announcement.
    func isAllowed(_ name: String) -> Bool {
        allowedNames.contains(name) || allowedPrefixes.contains { name.hasPrefix($0) }
    }

    /// The registry as last read, read again when older than `maxAge`.
    func entries(maxAge: TimeInterval = KnownTasks.maxAge) async throws -> [String: TaskRegistry.Entry] {
        let now = clock.now
        let current = snapshot.current
        if let readAt = current.readAt, now.timeIntervalSince(readAt) < maxAge { return current.entries }
        let entries = try await registry.entries()
        snapshot.withLock { $0 = Snapshot(entries: entries, readAt: now) }
        return entries
    }

    /// Accepts `name` with its arguments, or throws the 422 that names what is wrong.
    /// - Returns: the job's spec when a worker announced it (its defaults apply).
    func check(_ name: String, args: [JSONValue], kwargs: [String: JSONValue]) async throws -> JobSpec? {
        var entries = try await entries()
        if entries[name] == nil, !isAllowed(name) {
            entries = try await self.entries(maxAge: Self.missInterval)
            if entries[name] == nil, !entries.isEmpty || !allowedNames.isEmpty || !allowedPrefixes.isEmpty,
                await askCeleryWorkersIfDue()
            {
                entries = try await self.entries(maxAge: 0)
            }
        }
        if let entry = entries[name] {
            if entry.spec.schema.checksSomething {
                _ = try entry.spec.schema.check(args: args, kwargs: kwargs, operation: "enqueue")
            }
            return entry.spec
        }
        if isAllowed(name) { return nil }
        if entries.isEmpty, allowedNames.isEmpty, allowedPrefixes.isEmpty {
            let first = warned.withLock { warned in warned.count < 1000 && warned.insert(name).inserted }
            if first {
                logger.warning(
                    "accepting a task no worker has announced: no worker has run on this Redis yet",
                    metadata: ["task": "\(name)"])
            }
            return nil
        }
        let known = Array(entries.keys) + Array(allowedNames)
        let hint = Self.nearest(to: name, in: known)
        throw DomainError.invalid("enqueue", [.init(
            pointer: "/task",
            detail: "no worker has registered the task '\(name.prefix(200))'"
                + (hint.isEmpty ? "" : "; did you mean \(hint.map { "'\($0)'" }.joined(separator: ", "))?")
                + " (GET /registered-tasks lists the known ones; CELERIAC_TASKS_ALLOWED admits others)")])
    }

    /// Asks live Celery workers for their task names unless that was done in the last
    /// `askInterval`. Returns whether it asked.
    @discardableResult
    func askCeleryWorkersIfDue() async -> Bool {
        let now = clock.now
        let due = lastAsked.withLock { last -> Bool in
            if let last, now.timeIntervalSince(last) < Self.askInterval { return false }
            last = now
            return true
        }
        guard due else { return false }
        do {
            try await registry.askCeleryWorkers(replyKey: TaskID.random(), timeout: Self.askBudget, now: now)
        } catch {
            logger.warning("asking Celery workers for their tasks failed", metadata: ["error": "\(error)"])
        }
        return true
    }

    /// Up to three names closest to `name` by edit distance, close enough to be a typo.
    static func nearest(to name: String, in names: [String]) -> [String] {
        let target = Array(name.lowercased().utf8.prefix(200))
        let limit = max(1, min(3, target.count / 4))
        return names.map { ($0, editDistance(target, Array($0.lowercased().utf8.prefix(200)))) }
            .filter { $0.1 <= limit }
            .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
            .prefix(3).map(\.0)
    }

    /// Levenshtein distance over bytes.
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        var current = previous
        for (i, x) in a.enumerated() {
            current[0] = i + 1
            for (j, y) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
