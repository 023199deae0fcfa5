// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import Crypto

/// A new VAPID key pair for Web Push (`celeriac vapid generate`): the private key (32 bytes)
/// goes into the workers' secret, the public key (65 bytes, uncompressed) into the web page
/// that subscribes (`applicationServerKey`). Both base64url.
public enum VAPIDKeyPair {
    public static func generate() -> (privateKey: String, publicKey: String) {
        let key = P256.Signing.PrivateKey()
        return (Base64URL.encode(key.rawRepresentation), Base64URL.encode(key.publicKey.x963Representation))
    }
}
