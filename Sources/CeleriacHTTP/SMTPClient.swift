// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
import CeleriacSystem

/// One message as the SMTP envelope carries it: the rendered RFC 5322 bytes, the envelope
/// sender and recipients (bare addresses).
public struct SMTPMail: Sendable {
    public var from: String
    public var recipients: [String]
    public var message: [UInt8]

    public init(from: String, recipients: [String], message: [UInt8]) {
        self.from = from
        self.recipients = recipients
        self.message = message
    }
}

/// Why a mail was not sent. None quotes the server URL or its credentials.
public enum SMTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server refused this mail for good (a 5xx reply: unknown recipient, policy).
    case rejected(code: Int, message: String)
    /// The server refused the login.
    case authentication(String)
    /// TLS could not be set up: the server's certificate is not trusted (or does not name
    /// it), or it does not offer STARTTLS. Another try meets the same server.
    case tls(String)
    /// Anything a later try may mend: no connection, a timeout, a 4xx reply.
    case transient(String)

    public var description: String {
        switch self {
        case .rejected(_, let message): "smtp: \(message)"
        case .authentication(let message): "smtp login refused: \(message)"
        case .tls(let message): "smtp TLS: \(message)"
        case .transient(let message): "smtp: \(message)"
        }
    }
}

/// Outgoing mail over libcurl's SMTP. Each slot is one easy handle on its own thread
/// (``ThreadSlots``): a blocking dialogue never runs on the cooperative pool, and a
/// connection to a server is kept and reused for the next mail to it.
public final class SMTPClient: Sendable {
    private let slots: ThreadSlots<CurlSMTP>

    /// - Parameter concurrency: dialogues that may run at once.
    public init(concurrency: Int = 2, name: String = "smtp") {
        slots = ThreadSlots(count: concurrency, name: name)
    }

    /// Sends `mail` through `server`, within `timeout` for the whole dialogue.
    /// - Parameter caFile: a PEM bundle of the certificates to trust for TLS; nil trusts the
    ///   system's.
    public func send(_ mail: SMTPMail, via server: SMTPServer, caFile: String? = nil, timeout: Duration = .seconds(30))
        async throws(SMTPError)
    {
        do {
            try await slots.withLeastBusy { handle in
                if handle == nil { handle = try CurlSMTP() }
                try handle!.send(mail, via: server, caFile: caFile, timeout: timeout)
            }
        } catch let error as SMTPError {
            throw error
        } catch {
            throw .transient(String(describing: error))
        }
    }
}
