// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// One email as SMTP sends it (RFC 5322, MIME): headers with encoded words, and a text part
/// or a `multipart/alternative` of text and HTML, each UTF-8 in base64 lines of 76.
/// Everything that varies per message (its id, date, boundary) is given, so the same input
/// renders the same bytes.
public struct MailMessage: Sendable, Equatable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var subject: String
    public var text: String
    public var html: String?
    /// Without angle brackets: `<id@host>` is written around it.
    public var messageID: String
    public var date: Date
    /// The `List-Unsubscribe` value (`<https://…>` or `<mailto:…>`), when given.
    public var listUnsubscribe: String?
    /// Separates the parts; must not occur in them (base64 lines never hold `=_`).
    public var boundary: String

    /// - Throws: ``DomainError`` `invalid` for a subject, id or unsubscribe value with a
    ///   line break or NUL (it would add headers).
    public init(
        from: MailAddress, to: [MailAddress], subject: String, text: String, html: String? = nil, messageID: String,
        date: Date, listUnsubscribe: String? = nil, boundary: String
    ) throws(DomainError) {
        var errors: [DomainError.FieldError] = []
        for (pointer, value) in [("/subject", subject), ("/message_id", messageID), ("/list_unsubscribe", listUnsubscribe ?? "")]
        where HeaderText.hasLineBreakOrNUL(value) {
            errors.append(.init(pointer: pointer, detail: "must not contain CR, LF or NUL"))
        }
        if to.isEmpty { errors.append(.init(pointer: "/to", detail: "needs at least one address")) }
        guard errors.isEmpty else { throw .invalid("mail", errors) }
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
        self.date = date
        self.listUnsubscribe = listUnsubscribe
        self.boundary = boundary
    }

    /// The message, lines ending CRLF.
    public func rendered() -> [UInt8] {
        var lines = [
            "From: \(from.header)", "To: \(to.map(\.header).joined(separator: ",\r\n "))",
            "Subject: \(MailHeader.text(subject))", "Date: \(MailHeader.date(date))", "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
        ]
        if let listUnsubscribe {
            lines.append("List-Unsubscribe: \(listUnsubscribe)")
            if listUnsubscribe.contains("<http") { lines.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click") }
        }
        if let html {
            lines.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
            lines.append("")
            for (type, body) in [("text/plain", text), ("text/html", html)] {
                lines.append("--\(boundary)")
                lines += Self.part(type: type, body: body)
            }
            lines.append("--\(boundary)--")
        } else {
            lines += Self.part(type: "text/plain", body: text)
        }
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    private static func part(type: String, body: String) -> [String] {
        let encoded = Data(body.utf8).base64EncodedString()
        var lines = ["Content-Type: \(type); charset=utf-8", "Content-Transfer-Encoding: base64", ""]
        var start = encoded.startIndex
        while start < encoded.endIndex {
            let end = encoded.index(start, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(String(encoded[start..<end]))
            start = end
        }
        return lines
    }
}
