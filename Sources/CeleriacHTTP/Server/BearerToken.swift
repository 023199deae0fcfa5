// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
public import Hummingbird

/// Checks `Authorization: Bearer <token>` against one expected token in constant time, so
/// response timing does not reveal how much of a guess was right.
public struct BearerToken: Sendable {
    private let expected: [UInt8]

    public init(_ token: String) { expected = Array(token.utf8) }

    /// - Throws: ``Problem`` 401 when the header is missing or the token differs.
    public func verify(_ request: Request) throws {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw Problem.unauthorized()
        }
        guard Self.constantTimeEqual(Array(header.utf8.dropFirst(7)), expected) else { throw Problem.unauthorized() }
    }

    /// Compares every byte whatever the contents; only the length leaks.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}
