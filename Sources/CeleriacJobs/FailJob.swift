// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore

/// `celeriac.fail(message)`: always fails with `RuntimeError(message)`. Used by tests.
public struct FailJob: Job {
    public let name = "celeriac.fail"
    public init() {}

    public func run(_ invocation: JobInvocation) async throws -> JSONValue {
        let message = invocation.argument(0, "message")?.stringValue ?? "celeriac.fail was called"
        throw JobFailure(type: "RuntimeError", message: message)
    }
}
