// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTP
import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where a run's recipients come from: the task's list, or a source read page by page.
enum RecipientFeed {
    case list([Recipient])
    case source(RecipientReader)
}

/// One `notify.email` run's sending: batch after batch, each recipient's fate written to the
/// task's ledger as it happens. Before a mail goes out its entry says `attempt`; the write
/// that announces the next one also turns it to `sent` (one Redis round trip per mail). A
/// later attempt of the task skips every address with an entry: `sent` and `failed` ones are
/// counted, and `attempt` ones (a worker killed mid-dialogue: the server may or may not have
/// taken the mail) are listed as `uncertain` rather than mailed a second time.
struct Broadcast {
    let invocation: JobInvocation
    let smtp: SMTPClient
    let server: SMTPServer
    let caFile: String?
    let from: MailAddress
    let template: MailTemplate
    let unsubscribe: MailTemplate?
    let variables: [String: JSONValue]
    let batchSize: Int
    let pause: Double

    struct Outcome {
        var total = 0
        var sent = 0
        var sentBefore = 0
        var failed: [RecipientProblem] = []
        var uncertain: [String] = []
        var batches = 0

        var json: JSONValue {
            .object([
                "recipients": .int(Int64(total)), "sent": .int(Int64(sent)), "sent_before": .int(Int64(sentBefore)),
                "failed": .array(failed.map(\.json)), "uncertain": .array(uncertain.map(JSONValue.string)),
                "batches": .int(Int64(batches)),
            ])
        }
    }

    func send(_ feed: RecipientFeed) async throws -> Outcome {
        var notes = try await invocation.ledger.read()
        var outcome = Outcome()
        var pending: [String: String?] = [:]
        switch feed {
        case .list(let recipients):
            outcome.total = recipients.count
            for start in stride(from: 0, to: recipients.count, by: batchSize) {
                let batch = recipients[start..<min(start + batchSize, recipients.count)].map { Result<Recipient, RecipientProblem>.success($0) }
                try await sendBatch(batch, notes: &notes, pending: &pending, outcome: &outcome, more: start + batchSize < recipients.count)
            }
        case .source(let reader):
            outcome.total = try await reader.count()
            var batch = try await reader.next(batchSize)
            while !batch.isEmpty {
                let following = batch.count < batchSize ? [] : try await reader.next(batchSize)
                try await sendBatch(batch, notes: &notes, pending: &pending, outcome: &outcome, more: !following.isEmpty)
                batch = following
            }
        }
        return outcome
    }

    /// Sends one batch, then makes its notes durable and reports progress.
    private func sendBatch(
        _ batch: [Result<Recipient, RecipientProblem>], notes: inout [String: String], pending: inout [String: String?],
        outcome: inout Outcome, more: Bool
    ) async throws {
        try Task.checkCancellation()
        for entry in batch {
            let recipient: Recipient
            switch entry {
            case .success(let found): recipient = found
            case .failure(let problem):
                outcome.failed.append(problem)
                continue
            }
            let key = "to:" + recipient.address.address.lowercased()
            if let note = notes[key] {
                switch note {
                case "sent": outcome.sentBefore += 1
                case "attempt": outcome.uncertain.append(recipient.address.address)
                case let failure: outcome.failed.append(RecipientProblem(address: recipient.address.address, error: String(failure.dropFirst(7))))
                }
                continue
            }
            let message: [UInt8]
            do { message = try render(for: recipient) } catch {
                let problem = RecipientProblem(address: recipient.address.address, error: error.fields.map { "\($0.pointer): \($0.detail)" }.joined(separator: "; "))
                outcome.failed.append(problem)
                notes[key] = "failed " + problem.error
                pending[key] = "failed " + problem.error
                continue
            }
            pending[key] = "attempt"
            try await invocation.ledger.write(pending)
            pending = [:]
            notes[key] = "attempt"
            do {
                try await smtp.send(
                    SMTPMail(from: from.address, recipients: [recipient.address.address], message: message), via: server, caFile: caFile)
                outcome.sent += 1
                notes[key] = "sent"
                pending[key] = "sent"
            } catch .rejected(let code, let reply) {
                let problem = RecipientProblem(address: recipient.address.address, error: "\(code) \(reply)")
                outcome.failed.append(problem)
                notes[key] = "failed " + problem.error
                pending[key] = "failed " + problem.error
            } catch .authentication(let reply) {
                try await invocation.ledger.write([key: nil])
                throw JobFailure(type: "SMTPAuthenticationError", module: "smtplib", message: reply, retryable: false)
            } catch .tls(let reason) {
                try await invocation.ledger.write([key: nil])
                throw JobFailure(type: "SSLError", module: "ssl", message: reason, retryable: false)
            } catch .transient(let reason) {
                // Not taken: a later attempt sends it (and, with the ledger, nothing else twice).
                pending[key] = .some(nil)
                try await invocation.ledger.write(pending)
                throw JobRetry(reason: "\(recipient.address.address): \(reason)")
            }
        }
        try await invocation.ledger.write(pending)
        pending = [:]
        outcome.batches += 1
        let done = outcome.sent + outcome.sentBefore + outcome.failed.count + outcome.uncertain.count
        invocation.progress(current: Double(done), total: Double(max(outcome.total, done)), message: "batch \(outcome.batches)")
        if more && pause > 0 { try await Task.sleep(for: .milliseconds(Int(pause * 1000))) }
    }

    /// The message for one recipient: the task's variables with `recipient` added.
    private func render(for recipient: Recipient) throws(DomainError) -> [UInt8] {
        var context = variables
        context["recipient"] = .object(recipient.variables)
        let parts = template.render(context)
        let unsubscribeURL = unsubscribe?.render(context).subject
        let digest = Hex.encode(Array(SHA256.hash(data: Array(recipient.address.address.lowercased().utf8)).prefix(8)))
        let domain = from.address.split(separator: "@").last.map(String.init) ?? "localhost"
        return try MailMessage(
            from: from, to: [recipient.address], subject: parts.subject, text: parts.text, html: parts.html,
            messageID: "\(invocation.taskID).\(digest)@\(domain)", date: Date(),
            listUnsubscribe: unsubscribeURL.flatMap { $0.isEmpty ? nil : "<\($0)>" }, boundary: "=_celeriac_\(digest)"
        ).rendered()
    }
}
