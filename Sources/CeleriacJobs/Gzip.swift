// Celeriac — a Celery-compatible job service in Swift.

import CZlib

/// A gzip stream through zlib, one way: compressing (what `gzip -6` writes) or
/// decompressing. Fed chunk by chunk, so nothing whole is ever held in memory. Not
/// thread-safe: one owner at a time.
final class Gzip {
    enum Direction {
        case compress(level: Int32)
        case decompress
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let direction: Direction
    private let stream: UnsafeMutablePointer<z_stream>
    private var output = [UInt8](repeating: 0, count: 256 << 10)
    private(set) var ended = false

    init(_ direction: Direction) throws {
        self.direction = direction
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status: Int32
        switch direction {
        case .compress(let level): status = celeriac_deflate_init_gzip(stream, level)
        case .decompress: status = celeriac_inflate_init_gzip(stream)
        }
        guard status == Z_OK else {
            stream.deallocate()
            throw Failure(description: "zlib cannot start (\(status))")
        }
    }

    deinit {
        switch direction {
        case .compress: deflateEnd(stream)
        case .decompress: inflateEnd(stream)
        }
        stream.deallocate()
    }

    /// Passes `input` through; returns what came out (often nothing while compressing).
    /// - Throws: ``Failure`` for data that is not gzip (decompressing).
    func process(_ input: [UInt8]) throws -> [UInt8] {
        try run(input, finishing: false)
    }

    /// Ends a compressed stream: the last block and gzip's trailer.
    func finish() throws -> [UInt8] {
        try run([], finishing: true)
    }

    private func run(_ input: [UInt8], finishing: Bool) throws -> [UInt8] {
        var produced: [UInt8] = []
        try input.withUnsafeBufferPointer { given in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: given.baseAddress)
            stream.pointee.avail_in = UInt32(given.count)
            defer {
                stream.pointee.next_in = nil
                stream.pointee.avail_in = 0
            }
            while true {
                let status: Int32 = output.withUnsafeMutableBufferPointer { out in
                    stream.pointee.next_out = out.baseAddress
                    stream.pointee.avail_out = UInt32(out.count)
                    defer { stream.pointee.next_out = nil }
                    switch direction {
                    case .compress: return deflate(stream, finishing ? Z_FINISH : Z_NO_FLUSH)
                    case .decompress: return inflate(stream, Z_NO_FLUSH)
                    }
                }
                let count = output.count - Int(stream.pointee.avail_out)
                produced.append(contentsOf: output[0..<count])
                switch status {
                case Z_STREAM_END:
                    ended = true
                    return
                case Z_OK, Z_BUF_ERROR:
                    // A full output buffer means more is waiting; otherwise all input was taken.
                    if stream.pointee.avail_out == 0 || finishing && count > 0 { continue }
                    if finishing { throw Failure(description: "gzip: the stream did not end") }
                    return
                default:
                    let message = stream.pointee.msg.map { String(cString: $0) } ?? "error \(status)"
                    throw Failure(description: "gzip: \(message)")
                }
            }
        }
        return produced
    }
}
