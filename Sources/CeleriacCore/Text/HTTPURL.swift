// Celeriac — a Celery-compatible job service in Swift.

/// An `http` or `https` URL taken apart as far as an outgoing request needs: scheme, host
/// (lowercased; an IPv6 literal without its brackets), port and the rest (path, query).
/// Credentials in the URL are refused (headers carry them), as are spaces and control
/// characters.
public struct HTTPURL: Sendable, Equatable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int
    /// Path and query, starting with `/` (a fragment is dropped: it is never sent).
    public var target: String

    public init?(_ text: String) {
        guard text.utf8.count <= 8192, text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else { return nil }
        let lower = text.lowercased()
        guard let scheme = ["http", "https"].first(where: { lower.hasPrefix($0 + "://") }) else { return nil }
        var rest = Substring(text.dropFirst(scheme.count + 3))
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard !authority.contains("@") else { return nil }
        guard let (host, portText) = Authority.split(authority) else { return nil }
        guard !host.isEmpty, !host.contains("["), !host.contains("]") else { return nil }
        if portText.isEmpty {
            port = scheme == "https" ? 443 : 80
        } else {
            guard portText.hasPrefix(":"), let number = Int(portText.dropFirst()), (1...65535).contains(number) else { return nil }
            port = number
        }
        self.scheme = scheme
        self.host = host.lowercased()
        let path = rest[authorityEnd...]
        target = path.hasPrefix("/") ? String(path) : "/" + path
    }

    public var description: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        let defaultPort = scheme == "https" ? 443 : 80
        return "\(scheme)://\(bracketed)\(port == defaultPort ? "" : ":\(port)")\(target)"
    }

    /// Where a `Location` header leads from here: an absolute URL, or a path on this origin
    /// (`/next`, `//host/path` scheme-relative, or relative to this path's directory).
    public func resolving(_ location: String) -> HTTPURL? {
        if location.lowercased().hasPrefix("http://") || location.lowercased().hasPrefix("https://") { return HTTPURL(location) }
        if location.hasPrefix("//") { return HTTPURL(scheme + ":" + location) }
        let origin = HTTPURL.origin(scheme: scheme, host: host, port: port)
        if location.hasPrefix("/") { return HTTPURL(origin + location) }
        let directory = target.split(separator: "?", maxSplits: 1)[0].split(separator: "/", omittingEmptySubsequences: false).dropLast()
        return HTTPURL(origin + directory.joined(separator: "/") + "/" + location)
    }

    private static func origin(scheme: String, host: String, port: Int) -> String {
        "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }
}

/// Which addresses an outgoing request may reach: the public internet only. Loopback,
/// private, link-local, carrier-grade NAT, documentation, multicast and reserved ranges are
/// refused (IPv4-mapped and NAT64 IPv6 addresses are judged by the IPv4 address inside).
public enum AddressPolicy {
    /// nil when `address` (4 or 16 bytes) is public, else what it is.
    public static func refusal(_ address: [UInt8]) -> String? {
        if address.count == 4 { return refusalV4(address) }
        guard address.count == 16 else { return "not an IP address" }
        if address[0..<10].allSatisfy({ $0 == 0 }) && address[10] == 0xFF && address[11] == 0xFF {
            return refusalV4(Array(address[12...]))
        }
        if address[0..<12] == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] { return refusalV4(Array(address[12...])) }
        if address.allSatisfy({ $0 == 0 }) { return "the unspecified address" }
        if address[0..<15].allSatisfy({ $0 == 0 }) && address[15] == 1 { return "a loopback address" }
        if address[0] & 0xFE == 0xFC { return "a private (unique local) address" }
        if address[0] == 0xFE && address[1] & 0xC0 == 0x80 { return "a link-local address" }
        if address[0] == 0xFF { return "a multicast address" }
        if address[0..<4] == [0x20, 0x01, 0x0D, 0xB8] { return "a documentation address" }
        if address[0..<8] == [0x01, 0, 0, 0, 0, 0, 0, 0] { return "a discard address" }
        if address[0..<12].allSatisfy({ $0 == 0 }) { return "an IPv4-compatible address" }
        return nil
    }

    private static func refusalV4(_ a: [UInt8]) -> String? {
        switch (a[0], a[1], a[2]) {
        case (0, _, _): return "a 'this network' address"
        case (10, _, _), (172, 16...31, _), (192, 168, _): return "a private address"
        case (100, 64...127, _): return "a carrier-grade NAT address"
        case (127, _, _): return "a loopback address"
        case (169, 254, _): return "a link-local address"
        case (192, 0, 0), (198, 18...19, _): return "a reserved address"
        case (192, 0, 2), (198, 51, 100), (203, 0, 113): return "a documentation address"
        case (224...239, _, _): return "a multicast address"
        case (240...255, _, _): return "a reserved address"
        default: return nil
        }
    }
}
