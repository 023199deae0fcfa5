// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// RFC 8292 voluntary application server identification: an ES256 JWT for the push
/// service's origin, and our public key, in `Authorization: vapid t=…, k=…`.
struct VAPID: Sendable {
    let key: P256.Signing.PrivateKey
    /// `mailto:` or `https:` contact the push service may use.
    let subject: String

    /// `privateKey`: the 32-byte private key, base64url (what `celeriac vapid generate` prints).
    init(privateKey: String, subject: String) throws {
        guard let raw = Base64URL.decode(privateKey), raw.count == 32,
            let key = try? P256.Signing.PrivateKey(rawRepresentation: raw)
        else {
            throw JobFailure(
                type: "ValueError", module: "celeriac.jobs", message: "the VAPID private key is not 32 bytes of base64url",
                retryable: false)
        }
        self.key = key
        self.subject = subject
    }

    /// The application server key subscribers are created with (65 bytes, base64url).
    var publicKey: String { Base64URL.encode(key.publicKey.x963Representation) }

    /// The `Authorization` value for a request to `endpoint`, valid until `expires` (at
    /// most 24 h ahead, RFC 8292 §2).
    func authorization(endpoint: String, expires: Date) throws -> String {
        guard let audience = Self.origin(of: endpoint) else {
            throw JobFailure(type: "ValueError", module: "celeriac.jobs", message: "endpoint is not an http(s) URL", retryable: false)
        }
        let header = #"{"typ":"JWT","alg":"ES256"}"#
        let claims = JSONValue.object([
            "aud": .string(audience), "exp": .int(Int64(expires.timeIntervalSince1970)), "sub": .string(subject),
        ]).jsonText
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(claims.utf8))
        let signature = try key.signature(for: Array(input.utf8))
        // No space after the comma: RFC 7235 allows either, and some verifiers (py_vapid) split on spaces.
        return "vapid t=\(input).\(Base64URL.encode(signature.rawRepresentation)),k=\(publicKey)"
    }

    /// `scheme://host[:port]` of a URL, nil when it is not http(s).
    static func origin(of url: String) -> String? {
        for scheme in ["https://", "http://"] where url.lowercased().hasPrefix(scheme) {
            let rest = url.dropFirst(scheme.count)
            let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            guard !authority.isEmpty, !authority.contains("@") else { return nil }
            return scheme + authority.lowercased()
        }
        return nil
    }
}
