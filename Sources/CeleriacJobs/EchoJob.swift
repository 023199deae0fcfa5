// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore

/// `celeriac.echo(value)`: returns its argument. Used by tests and benchmarks.
public struct EchoJob: Job {
    public let name = "celeriac.echo"
    public init() {}

    public var spec: JobSpec {
        JobSpec(
            name: name, summary: "Returns its argument (a test task).",
            schema: JobSchema([.init("value", .any, summary: "what the result is")], allowsOthers: true))
    }

    public func run(_ invocation: JobInvocation) async throws -> JSONValue {
        invocation.argument(0, "value") ?? .null
    }
}
