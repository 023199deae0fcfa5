// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import Mustache
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A mail's templates: subject, HTML and text, each Mustache. The subject and text are
/// rendered without HTML escaping; the HTML escapes variables (`{{{raw}}}` does not).
struct MailTemplate: Sendable {
    var subject: MustacheTemplate?
    var html: MustacheTemplate?
    var text: MustacheTemplate?

    /// Parses the sources; a parse error names the part, not the text.
    init(subject: String?, html: String?, text: String?) throws(JobFailure) {
        func parse(_ source: String?, _ part: String, plain: Bool) throws(JobFailure) -> MustacheTemplate? {
            guard let source else { return nil }
            do {
                return try MustacheTemplate(string: (plain ? "{{% CONTENT_TYPE: TEXT}}" : "") + source)
            } catch {
                throw JobFailure(type: "ValueError", module: "celeriac.jobs", message: "the \(part) template does not parse: \(error)", retryable: false)
            }
        }
        self.subject = try parse(subject, "subject", plain: true)
        self.html = try parse(html, "html", plain: false)
        self.text = try parse(text, "text", plain: true)
    }

    /// Subject, HTML and text for one recipient's variables; the text derived from the HTML
    /// when there is no text template.
    func render(_ variables: [String: JSONValue]) -> (subject: String, html: String?, text: String) {
        let context = MailTemplate.context(.object(variables))
        let html = self.html?.render(context)
        let text = self.text?.render(context) ?? html.map(MailText.plain(fromHTML:)) ?? ""
        return (subject?.render(context) ?? "", html, text)
    }

    /// JSON as the `Any` Mustache walks: objects, lists, strings, numbers, booleans; null
    /// leaves a variable out.
    static func context(_ value: JSONValue) -> Any {
        switch value {
        case .object(let members): members.compactMapValues { $0 == .null ? nil : context($0) }
        case .array(let items): items.map(context)
        case .string(let text): text
        case .int(let number): number
        case .double(let number): number
        case .bool(let flag): flag
        default: ""
        }
    }
}

/// The templates `notify.email` can name: those of `CELERIAC_MAIL_TEMPLATES` (for a name
/// `n`, the files `n.subject.mustache`, `n.html.mustache`, `n.txt.mustache`; HTML or text
/// is required), then the built-in ones (``BuiltInMailTemplates``). Files are read when a
/// task names them, so an edited template takes effect without a restart.
public struct MailTemplates: Sendable {
    public let directory: String?

    public init(directory: String?) { self.directory = directory }

    static func isName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) || $0 == 0x5F || $0 == 0x2D }
    }

    /// The template named `name`: a file set from the directory, else a built-in.
    func template(named name: String) throws(JobFailure) -> MailTemplate {
        guard Self.isName(name) else {
            throw JobFailure(type: "ValueError", module: "celeriac.jobs", message: "a template name is lowercase letters, digits, '_' or '-'", retryable: false)
        }
        if let directory {
            func read(_ suffix: String) -> String? {
                (try? Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name).\(suffix).mustache")))
                    .flatMap { $0.count <= 1 << 20 ? String(decoding: $0, as: UTF8.self) : nil }
            }
            let html = read("html")
            let text = read("txt")
            if html != nil || text != nil { return try MailTemplate(subject: read("subject"), html: html, text: text) }
        }
        guard let builtIn = BuiltInMailTemplates.all[name] else {
            let known = BuiltInMailTemplates.all.keys.sorted().joined(separator: ", ")
            throw JobFailure(
                type: "ValueError", module: "celeriac.jobs",
                message: "no template \(name) (built in: \(known)\(directory == nil ? "; CELERIAC_MAIL_TEMPLATES is not set" : ""))",
                retryable: false)
        }
        return try MailTemplate(subject: builtIn.subject, html: builtIn.html, text: nil)
    }
}
