// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How a `celeriac-beat` process runs (from `CELERIAC_*` settings; README lists them).
public struct BeatConfiguration: Sendable {
    /// Names this process in the leader lease and logs; unique per process.
    public var name: String
    public var redisURL: RedisURL
    public var databaseURL: String
    /// How long the leader's lease lasts unrenewed: a standby takes over this long after the
    /// leader dies or stops answering. Renewed every third of it.
    public var lease: Duration = .seconds(5)
    /// How often a standby asks for the lease.
    public var standbyPoll: Duration = .milliseconds(200)
    /// Ticks missed by less than this are each sent late (a failover); older ones are folded
    /// into one catch-up send (beat was down).
    public var catchUpWindow: Duration = .seconds(15)
    /// How often the leader looks at `last_update` for edits.
    public var reloadCheck: Duration = .seconds(1)
    /// A full reload even without edits (a row changed by hand without `last_update`).
    public var fullReload: Duration = .seconds(300)
    /// How often sends are written back to PostgreSQL.
    public var writeBackInterval: Duration = .seconds(1)
    /// Most sends in one Redis step.
    public var batchSize = 500
    /// Records' TTL (`CELERIAC_RESULT_TTL`).
    public var recordTTLSeconds = 86_400

    public init(name: String, redisURL: RedisURL, databaseURL: String) {
        self.name = name
        self.redisURL = redisURL
        self.databaseURL = databaseURL
    }

    /// How long a fire's dedup key is kept: well past the longest a tick can be re-derived by
    /// a new leader (the catch-up window), at least a minute.
    public var dedupTTL: Duration { max(catchUpWindow * 4, .seconds(60)) }

    /// `beat@<hostname>:<pid>`.
    public static var defaultName: String {
        "beat@\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    }
}
