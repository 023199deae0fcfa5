// Celeriac — a Celery-compatible job service in Swift.

import ArgumentParser
import CeleriacSystem

/// `celeriac vapid generate`: a key pair for `notify.webpush`.
struct VapidCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vapid", abstract: "VAPID keys for notify.webpush.", subcommands: [Generate.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new VAPID key pair: the private key for the workers' secret, the public key for the page.")

        func run() {
            let pair = VAPIDKeyPair.generate()
            print("VAPID_PRIVATE_KEY=\(pair.privateKey)")
            print("VAPID_PUBLIC_KEY=\(pair.publicKey)")
        }
    }
}
