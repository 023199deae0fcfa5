// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension TaskID {
    /// A new random id from the system's CSPRNG. Foundation's `UUID()` opens `/dev/urandom`
    /// on every call on Linux, and even one `getrandom` per id showed up in enqueue profiles:
    /// bytes come from a pool refilled 4 KiB (256 ids) at a time.
    public static func random() -> String {
        format(randomBytes: randomPool.withLock { $0.take16() })
    }
}

private let randomPool = Locked(RandomPool())

/// CSPRNG output fetched in bulk.
private struct RandomPool {
    private var bytes = [UInt8](repeating: 0, count: 4096)
    private var used = 4096

    mutating func take16() -> ArraySlice<UInt8> {
        if used + 16 > bytes.count {
            bytes.withUnsafeMutableBytes(Self.fill)
            used = 0
        }
        defer { used += 16 }
        return bytes[used..<used + 16]
    }

    /// One `getrandom(2)` for the whole buffer; if the C library lacks it, the standard
    /// library's generator (also the kernel's CSPRNG, 8 bytes per call).
    private static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        var filled = 0
        if let getrandom {
            while filled < buffer.count {
                let got = getrandom(buffer.baseAddress! + filled, buffer.count - filled, 0)
                if got > 0 {
                    filled += got
                } else if errno != EINTR {
                    break
                }
            }
        }
        var generator = SystemRandomNumberGenerator()
        while filled < buffer.count {
            let value: UInt64 = generator.next()
            withUnsafeBytes(of: value) { source in
                for byte in source where filled < buffer.count {
                    buffer[filled] = byte
                    filled += 1
                }
            }
        }
    }

    /// Swift's Glibc module does not declare `getrandom`; it is looked up once at run time.
    private typealias GetRandom = @convention(c) (UnsafeMutableRawPointer?, Int, UInt32) -> Int
    private static let getrandom = CSymbol.find("getrandom", as: GetRandom.self)
}
