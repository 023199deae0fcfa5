// Celeriac — a Celery-compatible job service in Swift.

/// One expected bearer token, compared in constant time so response timing does not reveal
/// how much of a guess was right.
public struct BearerToken: Sendable {
    private let expected: [UInt8]

    public init(_ token: String) { expected = Array(token.utf8) }

    /// True when `authorization` is `Bearer <this token>`.
    public func matches(authorization: String?) -> Bool {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return false }
        return Self.constantTimeEqual(Array(authorization.utf8.dropFirst(7)), expected)
    }

    /// Compares every byte whatever the contents; only the length leaks.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}
