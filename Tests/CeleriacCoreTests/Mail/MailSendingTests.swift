// Celeriac — a Celery-compatible job service in Swift.

import Testing

@testable import CeleriacCore

/// What notify.email decides before a byte goes out: recipients, SMTP URLs, recipient-source
/// SQL, header-safe arguments and the text derived from HTML.
@Suite struct MailSendingTests {
    @Test func recipientsAreAnAddressAListOrASource() throws {
        #expect(try MailRecipients(.string("a@example.com"), pointer: "/to") == .list([try MailAddress(address: "a@example.com")]))
        #expect(
            try MailRecipients(.array([.object(["email": .string("b@example.com"), "name": .string("Bé")])]), pointer: "/to")
                == .list([try MailAddress(name: "Bé", address: "b@example.com")]))
        #expect(try MailRecipients(.object(["source": .string("opted_in")]), pointer: "/to") == .source("opted_in"))
    }

    @Test(arguments: [
        (JSONValue.string("not-an-address"), "/to"),
        (.array([.string("a@example.com"), .string("b@example.com\r\nRCPT TO:<c@example.com>")]), "/to/1"),
        (.array([]), "/to"),
        (.object(["source": .string("x; DROP TABLE users")]), "/to"),
        (.object(["email": .string("a@example.com"), "bcc": .string("b@example.com")]), "/to"),
        (.int(1), "/to"),
    ])
    func badRecipientsAreRefusedAtTheirPointer(value: JSONValue, pointer: String) {
        #expect {
            _ = try MailRecipients(value, pointer: "/to")
        } throws: { error in
            (error as? DomainError)?.fields.map(\.pointer) == [pointer]
        }
    }

    @Test func schemaTypesForHeadersAndRecipients() throws {
        let schema = JobSchema([.init("subject", .headerText), .init("to", .recipients)])
        _ = try schema.check(args: [], kwargs: ["subject": .string("Hello ✓"), "to": .string("a@example.com")], operation: "t")
        #expect {
            _ = try schema.check(
                args: [], kwargs: ["subject": .string("Hi\r\nBcc: x@example.com"), "to": .array([.string("a@example.com"), .int(3)])],
                operation: "t")
        } throws: { error in
            let fields = (error as? DomainError)?.fields ?? []
            return fields.map(\.pointer).sorted() == ["/kwargs/subject", "/kwargs/to"]
                && fields.contains { $0.detail == "item 1: expected an address" }
        }
    }

    @Test func smtpURLsNameTheSecurityAndKeepCredentialsApart() throws {
        let plain = try #require(SMTPServer(url: "smtp://127.0.0.1:2525"))
        #expect(plain.curlURL == "smtp://127.0.0.1:2525" && plain.security == .none && plain.username == nil)
        let starttls = try #require(SMTPServer(url: "smtp+starttls://mailer:pa%24%24@mail.example.com"))
        #expect(starttls.curlURL == "smtp://mail.example.com:587" && starttls.security == .startTLS)
        #expect(starttls.username == "mailer" && starttls.password == "pa$$")
        let tls = try #require(SMTPServer(url: "smtps://u:p@[::1]"))
        #expect(tls.curlURL == "smtps://[::1]:465" && tls.security == .implicitTLS)
        for bad in ["http://mail.example.com", "smtp://", "smtp://host:99999", "smtp://u:%zz@host", "smtp://ho st"] {
            #expect(SMTPServer(url: bad) == nil, "\(bad)")
        }
    }

    @Test func sourcesQuoteIdentifiersAndPassValuesAsParameters() throws {
        let sources = try RecipientSource.parse(
            .object([
                "opted_in": .object([
                    "table": .string("public.app_user"), "email": .string("email"), "name": .string("display_name"),
                    "variables": .array([.string("first_name")]),
                    "where": .object(["opted_in": .bool(true), "deleted_at": .null, "plan": .string("pro' OR '1'='1")]),
                ])
            ]))
        let source = try #require(sources["opted_in"])
        #expect(source.database == "CELERIAC_DATABASE_URL")
        let count = source.countQuery
        #expect(
            count.sql == "SELECT count(DISTINCT \"email\") FROM \"public\".\"app_user\" WHERE \"deleted_at\" IS NULL"
                + " AND \"opted_in\" = $1 AND \"plan\" = $2 AND \"email\" IS NOT NULL")
        #expect(count.params == ["true", "pro' OR '1'='1"])
        let page = source.pageQuery(after: "m@example.com", limit: 50)
        #expect(
            page.sql == "SELECT DISTINCT ON (\"email\"::text) \"email\"::text, \"display_name\"::text, \"first_name\"::text"
                + " FROM \"public\".\"app_user\" WHERE \"deleted_at\" IS NULL AND \"opted_in\" = $1 AND \"plan\" = $2"
                + " AND \"email\" IS NOT NULL AND \"email\"::text > $3 ORDER BY \"email\"::text LIMIT 50")
        #expect(page.params == ["true", "pro' OR '1'='1", "m@example.com"])
    }

    @Test(arguments: [
        ["table": JSONValue.string("users; DROP TABLE x"), "email": .string("email")],
        ["table": .string("users"), "email": .string("a.b")],
        ["table": .string("users")],
        ["table": .string("users"), "email": .string("email"), "where": .object(["x\"y": .bool(true)])],
        ["table": .string("users"), "email": .string("email"), "where": .object(["tags": .array([])])],
        ["table": .string("users"), "email": .string("email"), "sql": .string("SELECT 1")],
        ["table": .string("a.b.c"), "email": .string("email")],
    ])
    func sourcesThatAreNotPlainNamesStopTheWorker(entry: [String: JSONValue]) {
        #expect(throws: ConfigError.self) { _ = try RecipientSource.parse(.object(["s": .object(entry)])) }
    }

    @Test func textIsDerivedFromHTML() {
        let html = """
            <!doctype html><html><head><title>x</title><style>p { color: red }</style></head><body>
            <h1>Hello&nbsp;Ana</h1>
            <p>Your   code is <strong>48&amp;29</strong>.<br>Thanks &#x2713;</p>
            <ul><li>one</li><li>two</li></ul>
            <p><a href="https://example.com/v?a=1&amp;b=2">Confirm</a></p>
            <script>alert(1)</script>
            </body></html>
            """
        #expect(
            MailText.plain(fromHTML: html) == """
                Hello Ana

                Your code is 48&29.
                Thanks ✓

                - one
                - two

                Confirm (https://example.com/v?a=1&b=2)
                """)
    }
}
