// Celeriac — a Celery-compatible job service in Swift.

/// Task ids and delivery tags: random (version 4) UUIDs in lowercase, as Python's
/// `str(uuid.uuid4())` writes them. The random bytes come from outside Core
/// (`CeleriacSystem`'s `TaskID.random()`); this is only the text.
public enum TaskID {
    /// The version 4 UUID text for 16 random bytes (version and variant bits are set here).
    public static func format(randomBytes: some Collection<UInt8>) -> String {
        format(bytes: randomBytes, version: 4)
    }

    /// A UUID-shaped id that is the same every time for the same `name` (version 8: bits of
    /// our own choosing). Beat names each fire `celeriac-beat/<task>/<tick>`, so a tick
    /// published twice, by two leaders for an instant, is one task id.
    public static func derived(from name: String) -> String {
        // Two FNV-1a 64 hashes with different offsets: not cryptographic, only stable and
        // well spread (a collision needs two names alike in both).
        func fnv1a(_ offset: UInt64) -> UInt64 {
            var hash = offset
            for byte in name.utf8 {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            }
            return hash
        }
        var bytes: [UInt8] = []
        for var word in [fnv1a(0xCBF2_9CE4_8422_2325), fnv1a(0x84222325_CBF29CE4 ^ 0x9E37_79B9_7F4A_7C15)] {
            for _ in 0..<8 {
                bytes.append(UInt8(truncatingIfNeeded: word >> 56))
                word <<= 8
            }
        }
        return format(bytes: bytes, version: 8)
    }

    private static func format(bytes source: some Collection<UInt8>, version: UInt8) -> String {
        precondition(source.count == 16, "a UUID takes 16 bytes")
        var bytes = Array(source)
        bytes[6] = bytes[6] & 0x0F | version << 4
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
}
