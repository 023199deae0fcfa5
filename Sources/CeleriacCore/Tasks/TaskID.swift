// Celeriac — a Celery-compatible job service in Swift.

/// Task ids and delivery tags: random (version 4) UUIDs in lowercase, as Python's
/// `str(uuid.uuid4())` writes them. The random bytes come from outside Core
/// (`CeleriacSystem`'s `TaskID.random()`); this is only the text.
public enum TaskID {
    /// The version 4 UUID text for 16 random bytes (version and variant bits are set here).
    public static func format(randomBytes: some Collection<UInt8>) -> String {
        precondition(randomBytes.count == 16, "a UUID takes 16 bytes")
        var bytes = Array(randomBytes)
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
}
