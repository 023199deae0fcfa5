// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacSystem

/// Keeps `http.request` off the worker's own network (SSRF): the host is resolved here and
/// every address it resolves to must be public (``AddressPolicy``), unless
/// `CELERIAC_HTTP_ALLOW_HOSTS` names the host. The checked addresses are then the only ones
/// libcurl may connect to (`CURLOPT_RESOLVE`), so a second DNS answer (rebinding) cannot
/// lead elsewhere. Each redirect is checked the same way.
public struct OutboundGuard: Sendable {
    /// Host names and IP literals, lowercased, that may be reached whatever they resolve to.
    public let allowedHosts: Set<String>

    public init(allowedHosts: [String]) {
        self.allowedHosts = Set(allowedHosts.map { $0.lowercased().trimmingCharacters(in: "[]") })
    }

    /// The `CURLOPT_RESOLVE` entries that pin `url`'s host to its checked addresses; none for
    /// an allowed host.
    /// - Throws: ``JobFailure`` `PermissionError` (not retried) for an address outside the
    ///   public internet; ``JobRetry`` when the name does not resolve now.
    func pin(_ url: HTTPURL, timeout: Duration) async throws -> [String] {
        if allowedHosts.contains(url.host) { return [] }
        let addresses: [HostResolver.Address]
        do { addresses = try await HostResolver.addresses(of: url.host, timeout: timeout) } catch {
            throw JobRetry(reason: "cannot resolve \(url.host): \(error)")
        }
        for address in addresses {
            if let refusal = AddressPolicy.refusal(address.bytes) {
                throw JobFailure(
                    type: "PermissionError", module: "builtins",
                    message: "\(url.host) resolves to \(address.text), \(refusal): not reachable from http.request"
                        + " (CELERIAC_HTTP_ALLOW_HOSTS can allow the host)",
                    retryable: false)
            }
        }
        let list = addresses.map { $0.bytes.count == 16 ? "[\($0.text)]" : $0.text }.joined(separator: ",")
        return ["\(url.host):\(url.port):\(list)"]
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        String(drop(while: { set.contains($0) }).reversed().drop(while: { set.contains($0) }).reversed())
    }
}
