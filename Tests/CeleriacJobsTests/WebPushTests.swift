// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import Crypto
import Foundation
import Testing

@testable import CeleriacJobs

/// RFC 8291's encryption against a body Python's `http_ece` (the reference the interop test
/// decrypts with) made from the same keys and salt, and the VAPID header's shape.
@Suite struct WebPushTests {
    /// `http_ece.encrypt(..., version="aes128gcm", rs=4096)` with these inputs (Python, 1.2.1).
    static let serverPrivate = "EjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJCrze8"
    static let p256dh = "BFiJPMZcxcDaRqFMWkKHjYdwA2I83O7GLLmpBp-iwC6kAmWrjKXuxkbT9M3r21XzHO7mbpR8_2nvOiJ0a-izlNQ"
    static let auth = "AAECAwQFBgcICQoLDA0ODw"
    static let salt = "ZGVmZ2hpamtsbW5vcHFycw"
    static let body = "ZGVmZ2hpamtsbW5vcHFycwAAEABBBEccPnWMSQQoW7p-UxGO0PUkresHV9Jb0vjnsNdt-nFM3VIPesqKi5F6zDf1HejwybvjrYWDgucC3CWhLQn3qFhZ1sjqvnH7_1sC9UL2VmwyDq8XvandasEa1gQ77aZ0UzKWTGY_RbvKpPXGF5md4CFHOi3i0onig0KD"

    @Test func encryptionMatchesTheReference() throws {
        let ephemeral = try P256.KeyAgreement.PrivateKey(rawRepresentation: try #require(Base64URL.decode(Self.serverPrivate)))
        let body = try WebPushEncryption.encrypt(
            Array("When I grow up, I want to be a watermelon".utf8), p256dh: try #require(Base64URL.decode(Self.p256dh)),
            auth: try #require(Base64URL.decode(Self.auth)), ephemeral: ephemeral, salt: try #require(Base64URL.decode(Self.salt)))
        #expect(Base64URL.encode(body) == Self.body)
    }

    @Test func badKeysAndLongPayloadsAreRefused() throws {
        let p256dh = try #require(Base64URL.decode(Self.p256dh))
        let auth = try #require(Base64URL.decode(Self.auth))
        #expect(throws: WebPushEncryption.Failure.self) { try WebPushEncryption.encrypt([1], p256dh: Array(p256dh.dropLast()), auth: auth) }
        #expect(throws: WebPushEncryption.Failure.self) { try WebPushEncryption.encrypt([1], p256dh: p256dh, auth: [1, 2]) }
        let longest = [UInt8](repeating: 65, count: WebPushEncryption.maxPlaintext)
        #expect(try WebPushEncryption.encrypt(longest, p256dh: p256dh, auth: auth).count == 4096)
        #expect(throws: WebPushEncryption.Failure.self) { try WebPushEncryption.encrypt(longest + [65], p256dh: p256dh, auth: auth) }
    }

    @Test func theVAPIDHeaderIsSignedForTheEndpointsOrigin() throws {
        let vapid = try VAPID(privateKey: Self.serverPrivate, subject: "mailto:ops@example.com")
        let header = try vapid.authorization(
            endpoint: "https://Push.Example.com:8443/wpush/v2/abc?x=1", expires: Date(timeIntervalSince1970: 1_800_000_000))
        let token = try #require(header.split(separator: " ").last?.split(separator: ",").first?.dropFirst(2))
        let parts = token.split(separator: ".").map(String.init)
        let claims = try JSONValue.parse(try #require(Base64URL.decode(parts[1])))
        #expect(claims["aud"] == "https://push.example.com:8443" && claims["exp"] == .int(1_800_000_000))
        #expect(claims["sub"] == "mailto:ops@example.com")
        #expect(header.hasSuffix(",k=\(vapid.publicKey)"))
        let signature = try P256.Signing.ECDSASignature(rawRepresentation: try #require(Base64URL.decode(parts[2])))
        #expect(vapid.key.publicKey.isValidSignature(signature, for: Array("\(parts[0]).\(parts[1])".utf8)))
        #expect(throws: JobFailure.self) { try VAPID(privateKey: "short", subject: "mailto:x@y") }
        #expect(VAPID.origin(of: "ftp://x") == nil && VAPID.origin(of: "https://u@host/") == nil)
    }
}
