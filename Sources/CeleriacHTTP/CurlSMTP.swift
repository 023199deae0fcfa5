// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
internal import CCurl

/// The only owner of the `CURL*` easy handles used for SMTP. Not thread-safe: used only on the
/// thread of the ``SMTPClient`` slot that created it. Kept between mails, so libcurl reuses
/// the server connection (and its TLS session and login) for the next one.
final class CurlSMTP {
    private let curl: CurlLibrary
    /// One handle (and so one connection cache) for plain servers and one for those that
    /// require TLS: libcurl would reuse a kept plain connection for a transfer that requires
    /// STARTTLS to the same host and port, and send in the clear.
    private var plainHandle: UnsafeMutableRawPointer?
    private var tlsHandle: UnsafeMutableRawPointer?

    init() throws(SMTPError) {
        do { curl = try CurlLibrary.shared.get() } catch { throw .transient(error.description) }
    }

    deinit {
        if let plainHandle { curl.easyCleanup(plainHandle) }
        if let tlsHandle { curl.easyCleanup(tlsHandle) }
    }

    /// The handle for `security`, made on first use.
    private func handle(for security: SMTPServer.Security) throws(SMTPError) -> UnsafeMutableRawPointer {
        if security == .none, let plainHandle { return plainHandle }
        if security != .none, let tlsHandle { return tlsHandle }
        guard let handle = curl.easyInit() else { throw .transient("curl_easy_init failed") }
        if security == .none { plainHandle = handle } else { tlsHandle = handle }
        return handle
    }

    /// Sends one message: `MAIL FROM`, one `RCPT TO` per recipient, `DATA`.
    func send(_ mail: SMTPMail, via server: SMTPServer, caFile: String?, timeout: Duration) throws(SMTPError) {
        let handle = try handle(for: server.security)
        curl.easyReset(handle)
        let source = UploadSource(mail.message)
        let sourcePointer = Unmanaged.passRetained(source)
        defer { sourcePointer.release() }
        var recipients: UnsafeMutablePointer<curl_slist>?
        defer { curl.slistFreeAll(recipients) }
        for address in mail.recipients { recipients = curl.slistAppend(recipients, "<\(address)>") }
        // Outlives the setopt calls: libcurl writes into it during the transfer.
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        let setopt = curl.setopt
        let curl = self.curl
        func set(_ name: String, _ code: CURLcode) throws(SMTPError) {
            guard code == CURLE_OK else { throw .transient("curl_easy_setopt(\(name)): \(curl.message(code))") }
        }
        do {
            try set("CURLOPT_ERRORBUFFER", celeriac_curl_setopt_ptr(setopt, handle, CURLOPT_ERRORBUFFER, errorBuffer))
            if let (name, code) = curl.setTransferOptions(handle, url: server.curlURL, timeout: timeout, connectCap: .seconds(10)) {
                try set(name, code)
            }
            if server.security != .none {
                try set("CURLOPT_USE_SSL", celeriac_curl_setopt_long(setopt, handle, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue)))
                if let caFile { try set("CURLOPT_CAINFO", celeriac_curl_setopt_ptr(setopt, handle, CURLOPT_CAINFO, caFile)) }
            }
            if let username = server.username {
                try set("CURLOPT_USERNAME", celeriac_curl_setopt_ptr(setopt, handle, CURLOPT_USERNAME, username))
                try set("CURLOPT_PASSWORD", celeriac_curl_setopt_ptr(setopt, handle, CURLOPT_PASSWORD, server.password ?? ""))
            }
            try set("CURLOPT_MAIL_FROM", celeriac_curl_setopt_ptr(setopt, handle, CURLOPT_MAIL_FROM, "<\(mail.from)>"))
            try set("CURLOPT_MAIL_RCPT", celeriac_curl_setopt_ptr(setopt, handle, CURLOPT_MAIL_RCPT, recipients))
            try set("CURLOPT_UPLOAD", celeriac_curl_setopt_long(setopt, handle, CURLOPT_UPLOAD, 1))
            try set("CURLOPT_INFILESIZE", celeriac_curl_setopt_long(setopt, handle, CURLOPT_INFILESIZE, mail.message.count))
            try set("CURLOPT_READFUNCTION", celeriac_curl_setopt_callback(setopt, handle, CURLOPT_READFUNCTION, curlRead))
            try set("CURLOPT_READDATA", celeriac_curl_setopt_ptr(setopt, handle, CURLOPT_READDATA, sourcePointer.toOpaque()))
        }
        let result = curl.easyPerform(handle)
        guard result != CURLE_OK else { return }
        var code = 0
        _ = celeriac_curl_getinfo_long(curl.getinfo, handle, CURLINFO_RESPONSE_CODE, &code)
        let detail = String(cString: errorBuffer)
        let message = detail.isEmpty ? curl.message(result) : detail
        // Only the server's words and codes: never the URL or the credentials.
        switch (result, code) {
        case (CURLE_LOGIN_DENIED, _): throw .authentication(message)
        case (CURLE_PEER_FAILED_VERIFICATION, _), (CURLE_USE_SSL_FAILED, _), (CURLE_SSL_CACERT_BADFILE, _): throw .tls(message)
        case (_, 500...599): throw .rejected(code: code, message: message)
        default: throw .transient(code > 0 ? "\(code) \(message)" : message)
        }
    }
}

/// The message bytes libcurl reads as the `DATA` body.
private final class UploadSource {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }
}

/// libcurl's read callback: the next piece of the message, 0 at its end.
private func curlRead(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let buffer, let context else { return 0 }
    let source = Unmanaged<UploadSource>.fromOpaque(context).takeUnretainedValue()
    let length = min(size * count, source.bytes.count - source.offset)
    guard length > 0 else { return 0 }
    source.bytes.withUnsafeBytes { bytes in
        UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + source.offset, byteCount: length)
    }
    source.offset += length
    return length
}
