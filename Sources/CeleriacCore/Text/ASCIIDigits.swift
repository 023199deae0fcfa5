// Celeriac — a Celery-compatible job service in Swift.

/// Digits appended to a byte buffer: zero-padded decimals and hex. The timestamp formats on the
/// enqueue and report paths use this instead of `String(format:)`, which goes through
/// CoreFoundation's formatter and cost more than the rest of the timestamp code together.
public enum ASCIIDigits {
    /// Lowercase hex digits, for writers that spell bytes out (task ids, `\u` escapes).
    static let lowercaseHex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `value` (≥ 0) as at least `width` digits, zero-padded on the left.
    public static func append(_ value: Int, width: Int, to out: inout [UInt8]) {
        let value = max(0, value)
        var digits = 1
        var probe = value
        while probe >= 10 {
            probe /= 10
            digits += 1
        }
        let end = out.count + max(width, digits)
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: max(width, digits)))
        var rest = value
        var index = end - 1
        while rest > 0 {
            out[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
            index -= 1
        }
    }

    /// Unix seconds with exactly six decimals, rounded like `String(format: "%.6f", unix)`
    /// for the non-negative times we write. Times outside 1970...9999 (which inputs are
    /// checked against) are clamped rather than trapping in the conversion to `Int`.
    static func unixSeconds(_ unix: Double) -> String {
        let unix = unix.isNaN ? 0 : min(max(unix, 0), CeleryTime.latest)
        // Split first: `unix * 1e6` would lose the last digit to Double's 53-bit mantissa.
        var whole = Int(unix.rounded(.down))
        var micros = Int(((unix - Double(whole)) * 1_000_000).rounded())
        if micros == 1_000_000 {
            whole += 1
            micros = 0
        }
        var out: [UInt8] = []
        out.reserveCapacity(24)
        append(whole, width: 1, to: &out)
        out.append(UInt8(ascii: "."))
        append(micros, width: 6, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
