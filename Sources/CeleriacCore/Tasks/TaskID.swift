// Celeriac — a Celery-compatible job service in Swift.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Task ids and delivery tags: random (version 4) UUIDs in lowercase, as Python's
/// `str(uuid.uuid4())` writes them.
public enum TaskID {
    /// A new random id from the system's CSPRNG. Foundation's `UUID()` opens `/dev/urandom`
    /// on every call on Linux, and even one `getrandom` per id showed up in enqueue profiles:
    /// bytes come from a pool refilled 4 KiB (256 ids) at a time.
    public static func random() -> String {
        var bytes = pool.withLock { $0.take16() }
        bytes[6] = bytes[6] & 0x0F | 0x40  // version 4
        bytes[8] = bytes[8] & 0x3F | 0x80  // RFC 4122 variant
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { out.append(UInt8(ascii: "-")) }
            out.append(ASCIIDigits.lowercaseHex[Int(byte >> 4)])
            out.append(ASCIIDigits.lowercaseHex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let pool = Locked(RandomPool())
}

/// CSPRNG output fetched in bulk.
private struct RandomPool {
    private var bytes = [UInt8](repeating: 0, count: 4096)
    private var used = 4096

    mutating func take16() -> [UInt8] {
        if used + 16 > bytes.count {
            bytes.withUnsafeMutableBytes(Self.fill)
            used = 0
        }
        defer { used += 16 }
        return Array(bytes[used..<used + 16])
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
