// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacRedis

/// Why a worker cannot run at all (as opposed to a task failing).
public enum WorkerError: Error, Sendable, CustomStringConvertible {
    /// The lease scripts need commands this server lacks.
    case unsupportedRedis(RedisServerVersion)

    public var description: String {
        switch self {
        case .unsupportedRedis(let version):
            "Redis \(version) is too old: celeriac-worker needs Redis \(RedisServerVersion.oldestSupported) or later (LMOVE, EXPIRE … NX)"
        }
    }
}
