// Celeriac — a Celery-compatible job service in Swift.

/// The values one crontab field fires on (each in 0...63), as a bit set: membership and
/// "first value at least n" are a mask and a count of trailing zeros.
public struct CronValues: Sendable, Hashable, Sequence {
    private var bits: UInt64

    public init<S: Sequence>(_ values: S) where S.Element == Int {
        bits = 0
        for value in values {
            precondition((0..<64).contains(value), "crontab value \(value) out of 0...63")
            bits |= 1 << UInt64(value)
        }
    }

    public var isEmpty: Bool { bits == 0 }
    public var count: Int { bits.nonzeroBitCount }

    public func contains(_ value: Int) -> Bool {
        (0..<64).contains(value) && bits & (1 << UInt64(value)) != 0
    }

    /// The smallest value that is at least `value`, if any.
    public func first(atLeast value: Int) -> Int? {
        guard value < 64 else { return nil }
        let masked = bits & (UInt64.max << UInt64(Swift.max(value, 0)))
        return masked == 0 ? nil : masked.trailingZeroBitCount
    }

    public var lowest: Int? { first(atLeast: 0) }
    public var highest: Int? { bits == 0 ? nil : 63 - bits.leadingZeroBitCount }

    /// The values in ascending order.
    public func makeIterator() -> Iterator { Iterator(rest: bits) }

    public struct Iterator: IteratorProtocol {
        fileprivate var rest: UInt64

        public mutating func next() -> Int? {
            guard rest != 0 else { return nil }
            let value = rest.trailingZeroBitCount
            rest &= rest - 1
            return value
        }
    }
}
