// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import Crypto

/// Making and hashing API tokens: `cel_` and 43 base64url characters (32 random bytes), of
/// which only the SHA-256 is kept. A token is as random as a key, so one unsalted fast hash
/// is enough: nothing short enough to guess goes into it.
public enum TokenSecret {
    /// A new token and its hash (hex).
    public static func generate() -> (token: String, sha256: String) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let token = APIToken.prefix + Base64URL.encode(bytes)
        return (token, sha256(token))
    }

    /// SHA-256 of the token's UTF-8, lowercase hex.
    public static func sha256(_ token: String) -> String {
        Hex.encode(SHA256.hash(data: Array(token.utf8)))
    }

    /// The digest's raw bytes, for a constant-time comparison.
    public static func digest(_ token: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(token.utf8)))
    }
}
