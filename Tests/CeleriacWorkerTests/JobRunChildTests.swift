// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacJobs
import CeleriacSystem
@testable import CeleriacWorker
import Foundation
import Logging
import Testing

/// A job's child process follows its run: abandoned at the hard time limit (or revoked),
/// the run is cancelled and the child killed, not left running past the task.
@Suite struct JobRunChildTests {
    @Test func anAbandonedRunKillsItsChild() async throws {
        let marker = "31.\(Int.random(in: 100_000...999_999))"  // `sleep 31.NNNNNN`: findable, ours alone
        struct MarkedSleep: Job {
            let name = "test.marked_sleep"
            let seconds: String
            func run(_ invocation: JobInvocation) async throws -> JSONValue {
                _ = try await ChildProcess(executable: "/bin/sleep", arguments: [seconds]).run(stdout: { _ in }, stderr: { _ in })
                return nil
            }
        }
        let run = JobRun(
            job: MarkedSleep(seconds: marker),
            invocation: JobInvocation(taskID: "t", task: "test.marked_sleep", args: [], kwargs: [:], retries: 0, logger: Logger(label: "t")))
        for _ in 0..<100 where !Self.processExists(marker) { try await Task.sleep(for: .milliseconds(20)) }
        #expect(Self.processExists(marker), "the child never started")
        run.abandon(.hardLimit)
        guard case .abandoned(.hardLimit) = await run.ending() else {
            Issue.record("the run did not end abandoned")
            return
        }
        for _ in 0..<100 where Self.processExists(marker) { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!Self.processExists(marker), "the child outlived its abandoned run")
    }

    /// Whether a process whose command line holds `marker` runs (zombies excluded).
    static func processExists(_ marker: String) -> Bool {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.contains { entry in
            guard Int(entry) != nil,
                let cmdline = try? String(contentsOfFile: "/proc/\(entry)/cmdline", encoding: .utf8), cmdline.contains(marker),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8)
            else { return false }
            return !(stat.split(separator: ")").last?.dropFirst().hasPrefix("Z") ?? false)
        }
    }
}
