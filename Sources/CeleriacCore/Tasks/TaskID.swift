// Celeriac — a Celery-compatible job service in Swift.

/// Task ids and delivery tags: random (version 4) UUIDs in lowercase, as Python's
/// `str(uuid.uuid4())` writes them.
public enum TaskID {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// A new random id from the system's CSPRNG (`getrandom`). Foundation's `UUID()` opens
    /// `/dev/urandom` on every call on Linux, which showed up in enqueue profiles.
    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 16)
        withUnsafeBytes(of: (generator.next() as UInt64, generator.next() as UInt64)) { random in
            for index in 0..<16 { bytes[index] = random[index] }
        }
        bytes[6] = bytes[6] & 0x0F | 0x40  // version 4
        bytes[8] = bytes[8] & 0x3F | 0x80  // RFC 4122 variant
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { out.append(UInt8(ascii: "-")) }
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
