// Celeriac — a Celery-compatible job service in Swift.

import NIOCore

/// Runs a task's jobs on one NIO event loop, so a direct request's work starts, and resumes
/// after each await, on its channel's thread instead of hopping through the global executor.
final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
