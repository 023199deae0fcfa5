// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacSystem
import Crypto

/// Where `pg_dump`'s plain SQL goes as it streams out: each table's rows counted, the text
/// gzip'ed (zlib, level 6 as `gzip` by default) and hashed (SHA-256 of the file's bytes)
/// on the way into a ``FileOutput``. Nothing uncompressed touches the disk, and the file is
/// read once: as it is written.
final class DumpSink: Sendable {
    private struct State {
        var gzip: Gzip
        var hash = SHA256()
        var counter = DumpRowCounter()
        var taken = 0
    }

    private let output: FileOutput
    private let state: Locked<State>

    init(output: FileOutput, level: Int32 = 6) throws {
        self.output = output
        state = Locked(State(gzip: try Gzip(.compress(level: level))))
    }

    /// Takes the next chunk of the dump; returns how many bytes of SQL were taken so far.
    func take(_ chunk: [UInt8]) throws -> Int {
        try state.withLock { state in
            state.counter.feed(chunk)
            state.taken += chunk.count
            try write(try state.gzip.process(chunk), &state)
            return state.taken
        }
    }

    /// Ends the gzip stream and makes the file durable under `final`.
    /// - Returns: the file's size and SHA-256 (hex), and the rows of each table dumped.
    func finish(renamingTo final: String) throws -> (bytes: Int, sha256: String, tables: DumpRowCounter) {
        let (sha256, tables) = try state.withLock { state in
            try write(try state.gzip.finish(), &state)
            return (Hex.encode(state.hash.finalize()), state.counter)
        }
        return (try output.finish(renamingTo: final), sha256, tables)
    }

    /// Removes the partial file.
    func abandon() { output.abandon() }

    private func write(_ bytes: [UInt8], _ state: inout State) throws {
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBytes { state.hash.update(bufferPointer: $0) }
        try output.write(bytes)
    }
}
