// Celeriac — a Celery-compatible job service in Swift.

/// Standard base64 (RFC 4648 §4, with padding), appended straight into a byte buffer: the
/// message body is encoded into the envelope being written without a `Data` or `String`
/// in between.
enum Base64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func append(_ input: [UInt8], to out: inout [UInt8]) {
        out.reserveCapacity(out.count + (input.count + 2) / 3 * 4)
        var index = 0
        while index + 2 < input.count {
            let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            for shift in [18, 12, 6, 0] as [UInt32] { out.append(alphabet[Int((chunk >> shift) & 0x3F)]) }
            index += 3
        }
        let left = input.count - index
        guard left > 0 else { return }
        let chunk = UInt32(input[index]) << 16 | (left == 2 ? UInt32(input[index + 1]) << 8 : 0)
        out.append(alphabet[Int((chunk >> 18) & 0x3F)])
        out.append(alphabet[Int((chunk >> 12) & 0x3F)])
        out.append(left == 2 ? alphabet[Int((chunk >> 6) & 0x3F)] : UInt8(ascii: "="))
        out.append(UInt8(ascii: "="))
    }
}

/// base64url without padding (RFC 4648 §5): tokens that travel in a URL's query, such as
/// the task list's cursor.
public enum Base64URL {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode(_ input: [UInt8]) -> String {
        var out: [UInt8] = []
        Base64.append(input, to: &out)
        while out.last == UInt8(ascii: "=") { out.removeLast() }
        for index in out.indices {
            if out[index] == UInt8(ascii: "+") { out[index] = UInt8(ascii: "-") }
            if out[index] == UInt8(ascii: "/") { out[index] = UInt8(ascii: "_") }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes `text` encodes; nil for anything but unpadded base64url in canonical form.
    public static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt32] = []
        values.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            guard let index = alphabet.firstIndex(of: byte) else { return nil }
            values.append(UInt32(index))
        }
        guard values.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        var index = 0
        while index < values.count {
            let group = values[index..<min(index + 4, values.count)]
            var chunk: UInt32 = 0
            for (offset, value) in group.enumerated() { chunk |= value << (18 - 6 * UInt32(offset)) }
            let bytes = group.count - 1
            for n in 0..<bytes { out.append(UInt8((chunk >> (16 - 8 * UInt32(n))) & 0xFF)) }
            index += 4
        }
        // Canonical only: unused low bits of the last character must be zero.
        guard encode(out) == text else { return nil }
        return out
    }
}
