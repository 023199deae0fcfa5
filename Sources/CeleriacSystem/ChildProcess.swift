// Celeriac — a Celery-compatible job service in Swift.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process run with `posix_spawn`: an argv (never a shell string), an environment
/// given in full (nothing inherited by accident), its output streamed to sinks chunk by chunk
/// as it comes, and killed, with everything it started, when the calling task is cancelled
/// (SIGTERM to its process group, SIGKILL after `killGrace`).
///
/// ```swift
/// let ended = try await ChildProcess(executable: "/usr/bin/pg_dump", arguments: ["--no-password", "app"],
///                                    environment: ["PGPASSFILE": passfile])
///     .run(stdout: { chunk in try file.write(chunk) }, stderr: { tail.append($0) })
/// ```
public struct ChildProcess: Sendable {
    public var executable: String
    public var arguments: [String]
    public var environment: [String: String]
    public var workingDirectory: String?
    /// How long the child gets between SIGTERM and SIGKILL when the task is cancelled.
    public var killGrace: Duration = .seconds(5)

    public init(executable: String, arguments: [String] = [], environment: [String: String] = [:], workingDirectory: String? = nil) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
    }

    /// How the child ended.
    public enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
        public var succeeded: Bool { self == .exited(0) }
    }

    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// What the child reads on its stdin.
    public enum Input: Sendable {
        case bytes([UInt8])
        /// Chunks pulled as the child takes them (a restore fed from a decompressor); nil
        /// ends the input. A throw kills the child and is rethrown by ``run(stdin:stdout:stderr:)``.
        case stream(@Sendable () throws -> [UInt8]?)
    }

    /// Runs the child to its end, writing `input` to its stdin (then closing it) and handing
    /// its stdout and stderr to the sinks (on a thread of the run's own). A throwing stdout
    /// sink kills the child and rethrows.
    /// - Throws: ``Failure`` when it cannot start (no such executable, a working directory
    ///   that does not exist); `CancellationError` when cancelled (the child is killed first).
    public func run(
        input: [UInt8] = [], stdout: @escaping @Sendable ([UInt8]) throws -> Void, stderr: @escaping @Sendable ([UInt8]) -> Void
    ) async throws -> Termination {
        try await run(stdin: .bytes(input), stdout: stdout, stderr: stderr)
    }

    /// Runs the child to its end as ``run(input:stdout:stderr:)`` does, its stdin fed from `stdin`.
    public func run(
        stdin: Input, stdout: @escaping @Sendable ([UInt8]) throws -> Void, stderr: @escaping @Sendable ([UInt8]) -> Void
    ) async throws -> Termination {
        let path = try resolvedExecutable()
        Self.ignoreBrokenPipes
        let thread = BlockingThread(name: "child")
        defer { thread.stop() }
        let pid = Locked<pid_t>(0)
        let cancelled = Locked(false)
        let grace = killGrace
        let termination = try await withTaskCancellationHandler {
            try await thread.run { () throws -> Termination in
                try Self.spawnAndWait(
                    path: path, arguments: arguments, environment: environment, workingDirectory: workingDirectory,
                    input: stdin, stdout: stdout, stderr: stderr, started: { child in
                        pid.withLock { $0 = child }
                        if cancelled.current { Self.terminate(child, grace: grace) }
                    })
            }
        } onCancel: {
            cancelled.withLock { $0 = true }
            let child = pid.current
            if child > 0 { Self.terminate(child, grace: grace) }
        }
        if cancelled.current { throw CancellationError() }
        return termination
    }

    /// A child that exits before reading all its input must not take this process down with
    /// SIGPIPE: the write fails with EPIPE instead. (The child gets the default back.)
    private static let ignoreBrokenPipes: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    /// `executable` itself when it holds a `/`, else the first match on the child's `PATH`.
    func resolvedExecutable() throws -> String {
        if executable.contains("/") {
            guard access(executable, X_OK) == 0 else { throw Failure(description: "\(executable): not an executable file") }
            return executable
        }
        for directory in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(executable)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw Failure(description: "\(executable): not found on PATH")
    }

    /// SIGTERM to the child's process group now, SIGKILL after `grace` if it is still there.
    static func terminate(_ pid: pid_t, grace: Duration) {
        _ = kill(-pid, SIGTERM)
        Task.detached {
            try? await Task.sleep(for: grace)
            _ = kill(-pid, SIGKILL)
        }
    }

    private static func spawnAndWait(
        path: String, arguments: [String], environment: [String: String], workingDirectory: String?, input: Input,
        stdout: @Sendable ([UInt8]) throws -> Void, stderr: @Sendable ([UInt8]) -> Void, started: (pid_t) -> Void
    ) throws -> Termination {
        var inPipe: [Int32] = [-1, -1], outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        guard makePipe(&inPipe), makePipe(&outPipe), makePipe(&errPipe) else { throw Failure(description: "pipe: errno \(errno)") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        if let workingDirectory {
            guard let addchdir = Self.addchdir else {
                throw Failure(description: "this C library cannot set a child's working directory")
            }
            _ = addchdir(&actions, workingDirectory)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, so a kill reaches what it started; default signal handling.
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        close(inPipe[0])
        close(outPipe[1])
        close(errPipe[1])
        guard spawned == 0 else {
            close(inPipe[1])
            close(outPipe[0])
            close(errPipe[0])
            throw Failure(description: "\(path): cannot start (errno \(spawned))")
        }
        started(pid)
        var sinkError: (any Error)?
        func fail(_ error: any Error) {
            guard sinkError == nil else { return }
            sinkError = error
            _ = kill(-pid, SIGKILL)
        }
        var source: () -> [UInt8]?
        switch input {
        case .bytes(let bytes):
            var given: [UInt8]? = bytes.isEmpty ? nil : bytes
            source = {
                defer { given = nil }
                return given
            }
        case .stream(let next):
            source = {
                guard sinkError == nil else { return nil }
                do {
                    var chunk = try next()
                    while chunk?.isEmpty == true { chunk = try next() }
                    return chunk
                } catch {
                    fail(error)
                    return nil
                }
            }
        }
        pump(next: source, stdin: inPipe[1], stdout: outPipe[0], stderr: errPipe[0], onOut: { chunk in
            guard sinkError == nil else { return }
            do { try stdout(chunk) } catch { fail(error) }
        }, onErr: stderr)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if let sinkError { throw sinkError }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import as macros.
        let signal = status & 0x7F
        return signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal)
    }

    /// A pipe whose ends close on exec (the child gets only the ones dup'ed onto 0–2):
    /// `pipe2(O_CLOEXEC)` where the C library has it, which Swift's Glibc module does not
    /// declare, else `pipe` and `fcntl`.
    private static func makePipe(_ fds: inout [Int32]) -> Bool {
        if let pipe2 = Self.pipe2 { return fds.withUnsafeMutableBufferPointer { pipe2($0.baseAddress, Int32(O_CLOEXEC)) } == 0 }
        guard pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }

    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
    private static let pipe2 = CSymbol.find("pipe2", as: Pipe2.self)
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?) -> Int32
    private static let addchdir = CSymbol.find("posix_spawn_file_actions_addchdir_np", as: AddChdir.self)

    /// Writes what `next` gives to stdin and reads both outputs until they close, with `poll`,
    /// so neither side blocks the other.
    private static func pump(
        next: () -> [UInt8]?, stdin: Int32, stdout: Int32, stderr: Int32, onOut: ([UInt8]) -> Void,
        onErr: ([UInt8]) -> Void
    ) {
        var pending: [UInt8] = next() ?? []
        var written = 0
        var inFD: Int32 = stdin
        if pending.isEmpty {
            close(inFD)
            inFD = -1
        } else {
            _ = fcntl(inFD, F_SETFL, fcntl(inFD, F_GETFL) | O_NONBLOCK)
        }
        var open: [Int32] = [stdout, stderr]
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while !open.isEmpty || inFD >= 0 {
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if inFD >= 0 { fds.append(pollfd(fd: inFD, events: Int16(POLLOUT), revents: 0)) }
            guard poll(&fds, nfds_t(fds.count), -1) >= 0 || errno == EINTR else { break }
            for entry in fds where entry.revents != 0 {
                if entry.fd == inFD {
                    let count = pending[written...].withUnsafeBytes { write(inFD, $0.baseAddress, $0.count) }
                    if count > 0 { written += count }
                    if written == pending.count {
                        pending = next() ?? []
                        written = 0
                    }
                    if count < 0 && errno != EAGAIN && errno != EINTR || pending.isEmpty {
                        close(inFD)
                        inFD = -1
                    }
                    continue
                }
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    let chunk = Array(buffer[0..<count])
                    if entry.fd == stdout { onOut(chunk) } else { onErr(chunk) }
                } else if count == 0 || errno != EINTR && errno != EAGAIN {
                    close(entry.fd)
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
    }
}
