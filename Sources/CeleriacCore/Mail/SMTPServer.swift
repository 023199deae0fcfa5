// Celeriac — a Celery-compatible job service in Swift.

/// An SMTP server as a secret's URL names it, credentials included (the whole URL is the
/// secret):
/// - `smtp://host[:25]`: plain, for a relay on the same host or network;
/// - `smtp+starttls://user:password@host[:587]`: STARTTLS, required (no plain fallback);
/// - `smtps://user:password@host[:465]`: TLS from the first byte.
/// User and password are percent-decoded and travel apart from the URL libcurl is given.
public struct SMTPServer: Sendable, Equatable {
    public enum Security: String, Sendable { case none, startTLS, implicitTLS }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?

    /// What libcurl connects to: `smtp://host:port` or `smtps://host:port` (no credentials).
    public var curlURL: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return "\(security == .implicitTLS ? "smtps" : "smtp")://\(bracketed):\(port)"
    }

    /// Nil for a URL of another scheme, without a host, or with a bad port or escape. The
    /// reason never quotes the URL (it holds a password).
    public init?(url: String) {
        let schemes: [(String, Security, Int)] = [
            ("smtp://", .none, 25), ("smtp+starttls://", .startTLS, 587), ("smtps://", .implicitTLS, 465),
        ]
        guard let (scheme, security, defaultPort) = schemes.first(where: { url.lowercased().hasPrefix($0.0) }) else { return nil }
        var authority = Substring(url.dropFirst(scheme.count))
        if let end = authority.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            authority = authority[..<end]
        }
        if let at = authority.lastIndex(of: "@") {
            let userinfo = authority[..<at]
            let colon = userinfo.firstIndex(of: ":") ?? userinfo.endIndex
            guard let user = PercentEncoding.decode(userinfo[..<colon].utf8, plusIsSpace: false) else { return nil }
            username = user.isEmpty ? nil : user
            if colon < userinfo.endIndex {
                guard let secret = PercentEncoding.decode(userinfo[userinfo.index(after: colon)...].utf8, plusIsSpace: false)
                else { return nil }
                password = secret
            }
            authority = authority[authority.index(after: at)...]
        }
        guard let (hostPart, portPart) = Authority.split(authority) else { return nil }
        guard !hostPart.isEmpty, !HeaderText.hasLineBreakOrNUL(String(hostPart)), !hostPart.contains(" ") else { return nil }
        if portPart.isEmpty {
            port = defaultPort
        } else {
            guard portPart.hasPrefix(":"), let number = Int(portPart.dropFirst()), (1...65535).contains(number) else { return nil }
            port = number
        }
        host = String(hostPart)
        self.security = security
    }
}
