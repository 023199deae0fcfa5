// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
public import CeleriacHTTP
import Mustache
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `notify.email(to, template, subject, html, text, variables, from, unsubscribe,
/// smtp="SMTP_URL", batch_size=100, batch_pause=0)`: one message per recipient through
/// SMTP (libcurl), HTML and text from Mustache templates. `to` is an address, a list, or a
/// configured recipient source (a broadcast), sent in batches with progress after each.
/// Every recipient's fate is noted in the task's ledger as it happens, so a retried or
/// re-run task mails nobody twice (docs/jobs.md).
public struct EmailJob: Job {
    public let name = "notify.email"
    let templates: MailTemplates
    let sources: [String: RecipientSource]
    let defaultFrom: String?
    let smtp: SMTPClient
    /// `CELERIAC_SMTP_CA_FILE`: certificates to trust for TLS instead of the system's.
    let caFile: String?

    /// - Parameters:
    ///   - templates: where named templates are found (`CELERIAC_MAIL_TEMPLATES`).
    ///   - sources: the recipient sources a broadcast may name (`CELERIAC_MAIL_SOURCES`).
    ///   - defaultFrom: the sender when a task gives none (`CELERIAC_MAIL_FROM`).
    public init(
        templates: MailTemplates = MailTemplates(directory: nil), sources: [String: RecipientSource] = [:],
        defaultFrom: String? = nil, smtp: SMTPClient = EmailJob.sharedSMTP, caFile: String? = nil
    ) {
        self.templates = templates
        self.sources = sources
        self.defaultFrom = defaultFrom
        self.smtp = smtp
        self.caFile = caFile
    }

    /// The SMTP dialogues all runs share.
    public static let sharedSMTP = SMTPClient(concurrency: 4, name: "smtp")

    public var spec: JobSpec {
        JobSpec(
            name: name, summary: "Sends HTML and text mail from templates over SMTP, to a list or a recipient source in batches.",
            schema: JobSchema([
                .init("to", .recipients, required: true, summary: "an address, a list of up to 1000, or {\"source\": name}"),
                .init("template", .string, maxLength: 64, summary: "verification, password_reset, reminder, broadcast or a file's name"),
                .init("subject", .headerText, maxLength: 998, summary: "Mustache; replaces the template's subject"),
                .init("html", .string, maxLength: 512 * 1024, summary: "Mustache HTML, when no template is named"),
                .init("text", .string, maxLength: 512 * 1024, summary: "Mustache text; derived from the HTML when absent"),
                .init("variables", .object, default: .object([:]), maxLength: 1000, summary: "template variables"),
                .init("from", .headerText, maxLength: 320, summary: "sender (default CELERIAC_MAIL_FROM)"),
                .init("unsubscribe", .headerText, maxLength: 2000, summary: "List-Unsubscribe URL (Mustache)"),
                .init("smtp", .secret, default: "SMTP_URL", summary: "the secret holding the SMTP server URL"),
                .init("batch_size", .integer, default: 100, minimum: 1, maximum: 1000),
                .init("batch_pause", .number, default: 0, minimum: 0, maximum: 60, summary: "seconds between batches"),
            ]),
            timeLimit: 3600, retry: RetryPolicy(maxRetries: 5, backoff: 30, backoffMax: 600))
    }

    public func run(_ invocation: JobInvocation) async throws -> JSONValue {
        let arguments = try invocation.arguments(spec.schema)
        let template = try content(arguments)
        let from = try sender(arguments["from"]?.stringValue ?? defaultFrom)
        let serverURL = try invocation.secrets.value(arguments["smtp"]?.stringValue ?? "SMTP_URL")
        guard let server = SMTPServer(url: serverURL) else {
            throw JobFailure(
                type: "ValueError", module: "celeriac.jobs",
                message: "secret \(arguments["smtp"]?.stringValue ?? "SMTP_URL") is not an smtp://, smtp+starttls:// or smtps:// URL",
                retryable: false)
        }
        let unsubscribe = try arguments["unsubscribe"]?.stringValue.map { source throws(JobFailure) in
            try MailTemplate(subject: source, html: nil, text: nil)
        }
        let recipients: MailRecipients
        do { recipients = try MailRecipients(arguments["to"] ?? .null, pointer: "/kwargs/to") } catch {
            throw JobFailure.badArgument(error.fields.map { "\($0.pointer): \($0.detail)" }.joined(separator: "; "))
        }
        let batchSize = Int(arguments["batch_size"]?.intValue ?? 100)
        let feed: RecipientFeed
        switch recipients {
        case .list(let addresses):
            feed = .list(addresses.map { Recipient($0) })
        case .source(let name):
            guard let source = sources[name] else {
                let known = sources.keys.sorted().joined(separator: ", ")
                throw JobFailure(
                    type: "ValueError", module: "celeriac.jobs",
                    message: "no recipient source \(name) (CELERIAC_MAIL_SOURCES has: \(known.isEmpty ? "none" : known))",
                    retryable: false)
            }
            feed = .source(RecipientReader(source: source, databaseURL: try invocation.secrets.value(source.database)))
        }
        let run = Broadcast(
            invocation: invocation, smtp: smtp, server: server, caFile: caFile, from: from, template: template, unsubscribe: unsubscribe,
            variables: arguments["variables"]?.objectValue ?? [:], batchSize: batchSize,
            pause: arguments["batch_pause"]?.doubleValue ?? 0)
        let outcome = try await run.send(feed)
        if case .list = recipients, outcome.sent + outcome.sentBefore == 0, outcome.uncertain.isEmpty, !outcome.failed.isEmpty {
            throw JobFailure(
                type: "SMTPRecipientsRefused", module: "smtplib",
                message: outcome.failed.map { "\($0.address): \($0.error)" }.joined(separator: "; "), retryable: false)
        }
        return outcome.json
    }

    /// The named template with the task's subject, HTML or text in place of its own, or the
    /// task's own parts.
    func content(_ arguments: [String: JSONValue]) throws(JobFailure) -> MailTemplate {
        let subject = arguments["subject"]?.stringValue
        let html = arguments["html"]?.stringValue
        let text = arguments["text"]?.stringValue
        func refuse(_ message: String) -> JobFailure {
            JobFailure(type: "ValueError", module: "celeriac.jobs", message: message, retryable: false)
        }
        guard let name = arguments["template"]?.stringValue else {
            guard html != nil || text != nil else { throw refuse("give a template, or html or text") }
            guard subject != nil else { throw refuse("give a subject (or a template that has one)") }
            return try MailTemplate(subject: subject, html: html, text: text)
        }
        var template = try templates.template(named: name)
        let given = try MailTemplate(subject: subject, html: html, text: text)
        template.subject = given.subject ?? template.subject
        if given.html != nil || given.text != nil {
            template.html = given.html
            template.text = given.text
        }
        return template
    }

    /// `Name <address>` or a bare address.
    func sender(_ text: String?) throws(JobFailure) -> MailAddress {
        guard let text, !text.isEmpty else {
            throw JobFailure(type: "ValueError", module: "celeriac.jobs", message: "give from, or set CELERIAC_MAIL_FROM", retryable: false)
        }
        var name: String?
        var address = text
        if text.hasSuffix(">"), let open = text.lastIndex(of: "<") {
            name = String(text[..<open]).trimmingSpaces.trimmingQuotes
            address = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
        }
        do { return try MailAddress(name: name, address: address, pointer: "/kwargs/from") } catch {
            throw JobFailure.badArgument("from: \(error.fields.first?.detail ?? "not an email address")")
        }
    }
}

extension String {
    fileprivate var trimmingSpaces: String { String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed()) }
    fileprivate var trimmingQuotes: String {
        count >= 2 && hasPrefix("\"") && hasSuffix("\"") ? String(dropFirst().dropLast()) : self
    }
}

extension EmailJob {
    /// `notify.email` as the worker's settings configure it: the recipient sources file is
    /// read and checked here, at start, so a mistake in it stops the worker with its reason.
    /// - Throws: ``ConfigError``.
    public static func configured(_ settings: Settings) throws(ConfigError) -> EmailJob {
        var sources: [String: RecipientSource] = [:]
        if let path = settings.mailSourcesFile {
            guard let data = FileManager.default.contents(atPath: path), data.count <= 1 << 20 else {
                throw ConfigError("CELERIAC_MAIL_SOURCES: cannot read \(path) (at most 1 MiB)")
            }
            guard let json = try? JSONValue.parse(Array(data)) else { throw ConfigError("CELERIAC_MAIL_SOURCES: \(path) is not JSON") }
            sources = try RecipientSource.parse(json)
        }
        if let from = settings.mailFrom {
            do { _ = try EmailJob().sender(from) } catch { throw ConfigError("CELERIAC_MAIL_FROM: \(error.message)") }
        }
        return EmailJob(
            templates: MailTemplates(directory: settings.mailTemplates), sources: sources, defaultFrom: settings.mailFrom,
            caFile: settings.smtpCAFile)
    }
}
