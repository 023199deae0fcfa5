// Celeriac — a Celery-compatible job service in Swift.

import Foundation
import Testing

@testable import CeleriacCore

/// Mail headers and bodies: encoded words, dates, MIME parts, and no way for a value to add
/// a header.
@Suite struct MailMessageTests {
    @Test func datesAreRFC5322() {
        #expect(MailHeader.date(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(MailHeader.date(Date(timeIntervalSince1970: 1_800_000_000)) == "Fri, 15 Jan 2027 08:00:00 +0000")
        #expect(MailHeader.date(Date(timeIntervalSince1970: 951_782_400)) == "Tue, 29 Feb 2000 00:00:00 +0000")
        #expect(MailHeader.date(Date(timeIntervalSince1970: -86_401)) == "Tue, 30 Dec 1969 23:59:59 +0000")
    }

    @Test func textBeyondASCIIBecomesEncodedWordsThatNeverSplitACharacter() throws {
        #expect(MailHeader.text("Your code: 1234") == "Your code: 1234")
        #expect(MailHeader.text("리뷰 알림: 오늘") == "=?UTF-8?B?66as67ewIOyVjOumvDog7Jik64qY?=")
        let long = String(repeating: "가", count: 40)  // 120 bytes: three words of 15, 15 and 10 characters
        let words = MailHeader.text(long).components(separatedBy: "\r\n ")
        #expect(words.count == 3 && words.allSatisfy { $0.count <= 75 && $0.hasPrefix("=?UTF-8?B?") && $0.hasSuffix("?=") })
        let decoded = try words.map { word -> String in
            let base64 = word.dropFirst(10).dropLast(2)
            return String(decoding: try #require(Data(base64Encoded: String(base64))), as: UTF8.self)
        }
        #expect(decoded.joined() == long)
        #expect(MailHeader.text("looks =?encoded?= but is not").hasPrefix("=?UTF-8?B?"))
    }

    @Test func addressesAreCheckedAndNamesQuotedOrEncoded() throws {
        #expect(try MailAddress(name: "Kim, Minji", address: "minji@example.kr").header == #""Kim, Minji" <minji@example.kr>"#)
        #expect(try MailAddress(name: "김민지", address: "minji@example.kr").header == "=?UTF-8?B?6rmA66+87KeA?= <minji@example.kr>")
        #expect(try MailAddress(address: "a@b.co").header == "a@b.co")
        for bad in ["", "a", "a@b", "a@@b.co", "a b@c.co", "a@b.co\r\nBcc: x@y.z", "<a@b.co>", "a@.co", "a@b.co."] {
            #expect(throws: DomainError.self, "\(bad)") { try MailAddress(address: bad) }
        }
        #expect(throws: DomainError.self) { try MailAddress(name: "Eve\r\nBcc: x@y.z", address: "a@b.co") }
    }

    @Test func aMessageHasBothPartsAndItsHeaders() throws {
        let message = try MailMessage(
            from: MailAddress(name: "Celeriac", address: "noreply@example.com"),
            to: [MailAddress(name: "민지", address: "minji@example.kr"), MailAddress(address: "b@example.com")],
            subject: "비밀번호 재설정", text: "Reset: https://x/r/1", html: "<p>Reset: <a href=\"https://x/r/1\">here</a></p>",
            messageID: "task-1@example.com", date: Date(timeIntervalSince1970: 1_800_000_000),
            listUnsubscribe: "<https://example.com/u/1>", boundary: "=_celeriac_1")
        let text = String(decoding: message.rendered(), as: UTF8.self)
        let (head, body) = try #require(text.range(of: "\r\n\r\n").map { (text[..<$0.lowerBound], text[$0.upperBound...]) })
        #expect(head.contains("Subject: =?UTF-8?B?"))
        #expect(head.contains("To: =?UTF-8?B?66+87KeA?= <minji@example.kr>,\r\n b@example.com"))
        #expect(head.contains("Message-ID: <task-1@example.com>") && head.contains("Date: Fri, 15 Jan 2027 08:00:00 +0000"))
        #expect(head.contains("List-Unsubscribe: <https://example.com/u/1>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click"))
        #expect(head.contains(#"Content-Type: multipart/alternative; boundary="=_celeriac_1""#))
        #expect(body.contains("--=_celeriac_1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64"))
        #expect(body.contains("--=_celeriac_1\r\nContent-Type: text/html; charset=utf-8"))
        #expect(body.hasSuffix("--=_celeriac_1--\r\n"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "every line ends CRLF")
        #expect(text.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 998 })
    }

    @Test func headerValuesWithLineBreaksAreRefused() throws {
        let from = try MailAddress(address: "noreply@example.com")
        for (subject, id) in [("Hi\r\nBcc: all@example.com", "1@x"), ("Hi", "1@x\n"), ("Hi\u{0}", "1@x")] {
            #expect(throws: DomainError.self) {
                try MailMessage(
                    from: from, to: [from], subject: subject, text: "t", messageID: id, date: Date(timeIntervalSince1970: 0),
                    boundary: "b")
            }
        }
    }
}
