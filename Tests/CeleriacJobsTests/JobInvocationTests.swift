// Celeriac — a Celery-compatible job service in Swift.

import CeleriacJobs
import Logging
import Testing

@Suite struct JobInvocationTests {
    @Test func aJobsLoggerNamesItsTaskAndKeepsTheWorkersMetadata() {
        var workerLogger = Logger(label: "test")
        workerLogger[metadataKey: "worker"] = "w1"
        let invocation = JobInvocation(
            taskID: "id-1", task: "celeriac.echo", args: [], kwargs: [:], retries: 0, logger: workerLogger)
        #expect(invocation.logger[metadataKey: "task_id"] == "id-1")
        #expect(invocation.logger[metadataKey: "task"] == "celeriac.echo")
        #expect(invocation.logger[metadataKey: "worker"] == "w1")
    }
}
