// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore

/// `celeriac.sleep(seconds)`: waits without holding a thread, then returns the seconds.
public struct SleepJob: Job {
    public let name = "celeriac.sleep"
    /// Longest sleep accepted, so a typo cannot park a slot for days.
    public static let maxSeconds = 3600.0
    public init() {}

    public func run(_ invocation: JobInvocation) async throws -> JSONValue {
        guard let seconds = invocation.argument(0, "seconds")?.doubleValue, seconds >= 0, seconds <= Self.maxSeconds else {
            throw JobFailure.badArgument("celeriac.sleep expects seconds: a number from 0 to \(Int(Self.maxSeconds))")
        }
        try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
        return .double(seconds)
    }
}
