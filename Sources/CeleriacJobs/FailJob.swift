// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore

/// `celeriac.fail(message, retry_in=None)`: fails with `RuntimeError(message)`; with
/// `retry_in` (seconds) it asks to be retried after that long instead (``JobRetry``), until
/// its retries run out.
public struct FailJob: Job {
    public let name = "celeriac.fail"
    public init() {}

    public var spec: JobSpec {
        JobSpec(
            name: name, summary: "Raises RuntimeError(message); with retry_in, asks to be retried after that many seconds.",
            schema: JobSchema([
                .init("message", .string, default: "celeriac.fail was called", maxLength: 10_000, summary: "the error's message"),
                .init("retry_in", .number, minimum: 0, maximum: SleepJob.maxSeconds, summary: "seconds until the retry it asks for"),
            ]))
    }

    public func run(_ invocation: JobInvocation) async throws -> JSONValue {
        let message = invocation.argument(0, "message")?.stringValue ?? "celeriac.fail was called"
        if let value = invocation.kwargs["retry_in"], value != .null {
            guard let seconds = value.doubleValue, seconds >= 0, seconds <= SleepJob.maxSeconds else {
                throw JobFailure.badArgument("celeriac.fail expects retry_in: seconds from 0 to \(Int(SleepJob.maxSeconds))")
            }
            throw JobRetry(after: .milliseconds(Int64(seconds * 1000)), reason: message)
        }
        throw JobFailure(type: "RuntimeError", message: message)
    }
}
