// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// RFC 8291 message encryption for Web Push: one `aes128gcm` record (RFC 8188) keyed by an
/// ECDH agreement between a fresh key pair of ours and the subscription's `p256dh` key,
/// mixed with its `auth` secret.
enum WebPushEncryption {
    /// The record size written in the header; one record carries the whole message.
    static let recordSize: UInt32 = 4096
    /// Longest plaintext: push services take bodies of 4,096 bytes, and the header (86
    /// bytes), the tag (16) and the padding delimiter (1) come out of that.
    static let maxPlaintext = 4096 - 86 - 16 - 1

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The request body for `plaintext` to a subscription with keys `p256dh` (65 bytes,
    /// uncompressed P-256) and `auth` (16 bytes). `ephemeral` and `salt` are fresh for each
    /// message; tests pass their own.
    static func encrypt(
        _ plaintext: [UInt8], p256dh: [UInt8], auth: [UInt8],
        ephemeral: P256.KeyAgreement.PrivateKey = P256.KeyAgreement.PrivateKey(),
        salt: [UInt8] = (0..<16).map { _ in UInt8.random(in: 0...255) }
    ) throws -> [UInt8] {
        guard plaintext.count <= maxPlaintext else { throw Failure(description: "payload over \(maxPlaintext) bytes") }
        guard auth.count == 16 else { throw Failure(description: "auth must be 16 bytes") }
        let userAgentKey: P256.KeyAgreement.PublicKey
        do {
            userAgentKey = try P256.KeyAgreement.PublicKey(x963Representation: p256dh)
        } catch {
            throw Failure(description: "p256dh is not an uncompressed P-256 public key")
        }
        let serverPublic = [UInt8](ephemeral.publicKey.x963Representation)
        let shared = try ephemeral.sharedSecretFromKeyAgreement(with: userAgentKey)
        // IKM = HKDF(auth, ecdh_secret, "WebPush: info" || 0x00 || ua_public || as_public, 32)
        let keyInfo = Array("WebPush: info".utf8) + [0] + p256dh + serverPublic
        let ikm = shared.hkdfDerivedSymmetricKey(using: SHA256.self, salt: auth, sharedInfo: keyInfo, outputByteCount: 32)
        let prk = HKDF<SHA256>.extract(inputKeyMaterial: ikm, salt: salt)
        let cek = HKDF<SHA256>.expand(pseudoRandomKey: prk, info: Array("Content-Encoding: aes128gcm".utf8) + [0], outputByteCount: 16)
        let nonce = HKDF<SHA256>.expand(pseudoRandomKey: prk, info: Array("Content-Encoding: nonce".utf8) + [0], outputByteCount: 12)
        // The last (and only) record ends with the delimiter 0x02 and no padding.
        let sealed = try AES.GCM.seal(
            plaintext + [2], using: cek, nonce: AES.GCM.Nonce(data: nonce.withUnsafeBytes { Array($0) }))
        var body = salt
        body += withUnsafeBytes(of: recordSize.bigEndian) { Array($0) }
        body.append(UInt8(serverPublic.count))
        body += serverPublic
        body += sealed.ciphertext
        body += sealed.tag
        return body
    }
}
