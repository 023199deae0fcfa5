// Celeriac — a Celery-compatible job service in Swift.

/// Text bound for a header line (HTTP out, mail): a CR or LF would end the line early and
/// start a header, or a request, of the sender's choosing; a NUL cuts the line short.
public enum HeaderText {
    public static func hasLineBreakOrNUL(_ text: String) -> Bool {
        text.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0 }
    }
}
