// Celeriac — a Celery-compatible job service in Swift.

/// An email address with an optional display name, checked so that nothing in it can break
/// out of a header: no CR, LF, NUL, no angle brackets or spaces in the address, one `@`.
public struct MailAddress: Sendable, Equatable {
    public var name: String?
    public var address: String

    /// - Throws: ``DomainError`` `invalid` at `pointer` naming what is wrong.
    public init(name: String? = nil, address: String, pointer: String = "") throws(DomainError) {
        func refuse(_ detail: String) -> DomainError { .invalid("mail", [.init(pointer: pointer, detail: detail)]) }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            address.utf8.count <= 254,
            address.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && !"<>()[]\\,;:\"".unicodeScalars.contains($0) })
        else { throw refuse("not an email address") }
        if let name, HeaderText.hasLineBreakOrNUL(name) || name.count > 200 {
            throw refuse("a display name must be one line of at most 200 characters")
        }
        self.name = name.flatMap { $0.isEmpty ? nil : $0 }
        self.address = address
    }

    /// `Name <address>`, the name as an RFC 2047 encoded word when it is not plain ASCII
    /// text, quoted when it holds specials.
    public var header: String {
        guard let name else { return address }
        return "\(MailHeader.phrase(name)) <\(address)>"
    }
}
