// Celeriac — a Celery-compatible job service in Swift.

import CeleriacSystem
import Foundation
import Testing

/// Real children (coreutils, argv only): output streamed, input given, the environment
/// exactly what was passed, exit codes and signals, and a cancelled run killing its child.
@Suite struct ChildProcessTests {
    final class Collected: Sendable {
        let out = Locked<[UInt8]>([])
        let err = Locked<[UInt8]>([])
        var outText: String { String(decoding: out.current, as: UTF8.self) }
        var errText: String { String(decoding: err.current, as: UTF8.self) }
    }

    func run(_ child: ChildProcess, input: [UInt8] = []) async throws -> (ChildProcess.Termination, Collected) {
        let collected = Collected()
        let ended = try await child.run(
            input: input, stdout: { chunk in collected.out.withLock { $0 += chunk } },
            stderr: { chunk in collected.err.withLock { $0 += chunk } })
        return (ended, collected)
    }

    @Test func inputGoesInAndOutputComesBackWhole() async throws {
        // 1 MiB through cat: more than any pipe holds, so writing and reading must interleave.
        let input = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 % 251) }
        let (ended, collected) = try await run(ChildProcess(executable: "/bin/cat"), input: input)
        #expect(ended == .exited(0) && ended.succeeded)
        #expect(collected.out.current == input)
    }

    @Test func theEnvironmentIsExactlyWhatWasGivenAndArgumentsAreNotAShell() async throws {
        let (_, env) = try await run(ChildProcess(executable: "/usr/bin/env", environment: ["ONLY": "this"]))
        #expect(env.outText == "ONLY=this\n")
        // A shell would expand these; an argv passes them as they are.
        let (_, echoed) = try await run(ChildProcess(executable: "/bin/echo", arguments: ["$HOME", "a;b", "`id`"]))
        #expect(echoed.outText == "$HOME a;b `id`\n")
        let (_, listed) = try await run(ChildProcess(
            executable: "ls", arguments: ["-a"], environment: ["PATH": "/usr/bin:/bin"], workingDirectory: "/"))
        #expect(listed.outText.contains("\netc\n"))
    }

    @Test func exitCodesStderrAndStartFailures() async throws {
        let (failed, collected) = try await run(ChildProcess(executable: "/bin/ls", arguments: ["/no/such/path"]))
        #expect(failed == .exited(2) && !failed.succeeded)
        #expect(collected.errText.contains("/no/such/path"))
        await #expect(throws: ChildProcess.Failure.self) { _ = try await run(ChildProcess(executable: "/no/such/tool")) }
        await #expect(throws: ChildProcess.Failure.self) {
            _ = try await run(ChildProcess(executable: "no-such-tool", environment: ["PATH": "/usr/bin"]))
        }
    }

    @Test func aCancelledRunKillsItsChild() async throws {
        let began = ContinuousClock.now
        let running = Task { try await run(ChildProcess(executable: "/bin/sleep", arguments: ["30"])) }
        try await Task.sleep(for: .milliseconds(200))
        running.cancel()
        await #expect(throws: CancellationError.self) { _ = try await running.value }
        #expect(ContinuousClock.now - began < .seconds(10))
    }

    @Test func aThrowingSinkStopsTheChild() async throws {
        struct Full: Error {}
        await #expect(throws: Full.self) {
            _ = try await ChildProcess(executable: "/usr/bin/yes").run(stdout: { _ in throw Full() }, stderr: { _ in })
        }
    }
}
