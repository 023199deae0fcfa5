// Celeriac — a Celery-compatible job service in Swift.

import CeleriacSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A file written under a temporary name and made visible only when complete: `fsync`ed,
/// renamed onto its final name, its directory `fsync`ed; or removed when abandoned.
final class FileOutput: Sendable {
    let path: String
    private let state: Locked<(fd: Int32, written: Int)>

    init(path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw JobFailure(type: "OSError", message: "cannot create \(path): errno \(errno)") }
        self.path = path
        state = Locked((fd, 0))
    }

    /// Appends `bytes`; returns the total written so far.
    @discardableResult
    func write(_ bytes: [UInt8]) throws -> Int {
        try state.withLock { state in
            var offset = 0
            while offset < bytes.count {
                let count = bytes[offset...].withUnsafeBytes { Glibc.write(state.fd, $0.baseAddress, $0.count) }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw JobFailure(type: "OSError", message: "writing the backup failed: errno \(errno)")
                }
                offset += count
            }
            state.written += bytes.count
            return state.written
        }
    }

    /// Makes the file durable under `final`; returns its size.
    func finish(renamingTo final: String) throws -> Int {
        let (fd, written) = state.current
        guard fsync(fd) == 0 else {
            abandon()
            throw JobFailure(type: "OSError", message: "fsync of the backup failed: errno \(errno)")
        }
        close(fd)
        guard rename(path, final) == 0 else {
            unlink(path)
            throw JobFailure(type: "OSError", message: "renaming the backup failed: errno \(errno)")
        }
        Self.syncDirectory(of: final)
        return written
    }

    /// Closes and removes the partial file.
    func abandon() {
        close(state.current.fd)
        unlink(path)
    }

    /// Writes `text` to `path` whole (a sidecar), durably.
    static func writeWhole(_ text: String, to path: String) throws {
        let output = try FileOutput(path: path + ".partial")
        try output.write(Array(text.utf8))
        _ = try output.finish(renamingTo: path)
    }

    private static func syncDirectory(of path: String) {
        guard let slash = path.lastIndex(of: "/") else { return }
        let fd = open(String(path[..<slash]), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            _ = fsync(fd)
            close(fd)
        }
    }
}
