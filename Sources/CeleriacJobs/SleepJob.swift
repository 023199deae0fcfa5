// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore

/// `celeriac.sleep(seconds, steps=0, on_cancel="stop")`: waits without holding a thread, then
/// returns the seconds. With `steps`, sleeps in that many equal parts and reports progress
/// after each. `on_cancel` says what a soft time limit or a revoke does to it: `stop` (the
/// default) ends it at once, `finish` returns the seconds slept so far (a job cleaning up),
/// `ignore` keeps sleeping (so only the hard limit ends it).
public struct SleepJob: Job {
    public let name = "celeriac.sleep"
    /// Longest sleep accepted, so a typo cannot park a slot for days.
    public static let maxSeconds = 3600.0
    /// Most progress steps.
    public static let maxSteps = 10_000
    public init() {}

    public var spec: JobSpec {
        JobSpec(
            name: name, summary: "Sleeps, with progress after each of `steps` parts (a test task).",
            schema: JobSchema([
                .init("seconds", .number, required: true, minimum: 0, maximum: Self.maxSeconds, summary: "how long"),
                .init("steps", .integer, default: 0, minimum: 0, maximum: Double(Self.maxSteps), summary: "progress reports"),
                .init(
                    "on_cancel", .string, default: "stop", choices: ["stop", "finish", "ignore"],
                    summary: "what a soft time limit or a revoke does"),
            ]))
    }

    public func run(_ invocation: JobInvocation) async throws -> JSONValue {
        guard let seconds = invocation.argument(0, "seconds")?.doubleValue, seconds >= 0, seconds <= Self.maxSeconds else {
            throw JobFailure.badArgument("celeriac.sleep expects seconds: a number from 0 to \(Int(Self.maxSeconds))")
        }
        let steps = invocation.kwargs["steps"]?.intValue ?? 0
        guard (0...Int64(Self.maxSteps)).contains(steps) else {
            throw JobFailure.badArgument("celeriac.sleep expects steps from 0 to \(Self.maxSteps)")
        }
        let onCancel = invocation.kwargs["on_cancel"]?.stringValue ?? "stop"
        guard ["stop", "finish", "ignore"].contains(onCancel) else {
            throw JobFailure.badArgument("celeriac.sleep expects on_cancel: stop, finish or ignore")
        }
        let parts = max(1, Int(steps))
        let part = Duration.milliseconds(Int64(seconds * 1000 / Double(parts)))
        for done in 1...parts {
            do {
                if onCancel == "ignore" {
                    // A task of its own is not cancelled with this one.
                    await Task.detached { try? await Task.sleep(for: part) }.value
                } else {
                    try await Task.sleep(for: part)
                }
            } catch is CancellationError where onCancel == "finish" {
                return .double(seconds * Double(done - 1) / Double(parts))
            }
            if steps > 0 {
                invocation.progress(current: Double(done), total: Double(parts), message: "slept \(done) of \(parts)")
            }
        }
        return .double(seconds)
    }
}
