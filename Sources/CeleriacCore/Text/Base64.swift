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

