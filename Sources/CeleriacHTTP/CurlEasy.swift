// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
internal import CCurl
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The only owner of one `CURL*` easy handle. Not thread-safe: used only on the thread of
/// the ``HTTPClient`` slot that created it. Reused between requests so keep-alive
/// connections survive (`curl_easy_reset` keeps the connection cache).
final class CurlEasy {
    private let curl: CurlLibrary
    private var handle: UnsafeMutableRawPointer?

    init() throws(HTTPClientError) {
        curl = try CurlLibrary.shared.get()
        guard let handle = curl.easyInit() else { throw .transport("curl_easy_init failed") }
        self.handle = handle
    }

    deinit { if let handle { curl.easyCleanup(handle) } }

    /// A CR, LF or NUL in a header or the URL would let a value smuggle in headers or a
    /// second request: refused before anything is sent. The error names the field, not its value.
    static func refuseInjection(_ request: HTTPClientRequest) throws(HTTPClientError) {
        let bad = HeaderText.hasLineBreakOrNUL
        if bad(request.url) || request.url.utf8.contains(0x20) {
            throw .transport("the URL contains a space, CR, LF or NUL")
        }
        for (name, value) in request.headers where bad(name) || bad(value) || name.contains(":") {
            throw .transport("header \(name.prefix(64).filter { $0.isLetter || $0.isNumber || $0 == "-" }) contains CR, LF, NUL or a colon in its name")
        }
    }

    /// Performs one request, blocking the calling (owned) thread for at most its timeout.
    /// - Parameter stream: receives the body chunk by chunk instead of buffering it; throwing
    ///   aborts the transfer with that error.
    func perform(_ request: HTTPClientRequest, stream: (@Sendable ([UInt8]) throws -> Void)?) throws -> HTTPClientResponse {
        guard let handle else { throw HTTPClientError.transport("handle closed") }
        try Self.refuseInjection(request)
        curl.easyReset(handle)
        let sink = ResponseSink(limit: request.maxResponseBytes, stream: stream)
        let sinkPointer = Unmanaged.passRetained(sink)
        defer { sinkPointer.release() }
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl.slistFreeAll(headerList) }
        for (name, value) in request.headers {
            headerList = curl.slistAppend(headerList, "\(name): \(value)")
        }
        headerList = curl.slistAppend(headerList, "Expect:")  // no 100-continue round trip
        var resolveList: UnsafeMutablePointer<curl_slist>?
        defer { curl.slistFreeAll(resolveList) }
        for entry in request.resolve { resolveList = curl.slistAppend(resolveList, entry) }
        let setopt = curl.setopt
        /// Every option is checked; the first refused one is named in the error.
        func set(_ name: String, _ code: CURLcode) throws(HTTPClientError) {
            guard code == CURLE_OK else { throw .transport("curl_easy_setopt(\(name)): \(curl.message(code))") }
        }
        if let (name, code) = curl.setTransferOptions(handle, url: request.url, timeout: request.timeout, connectCap: .seconds(5)) {
            try set(name, code)
        }
        try set("CURLOPT_HTTPHEADER", celeriac_curl_setopt_ptr(setopt, handle, CURLOPT_HTTPHEADER, headerList))
        if resolveList != nil {
            try set("CURLOPT_RESOLVE", celeriac_curl_setopt_ptr(setopt, handle, CURLOPT_RESOLVE, resolveList))
        }
        try set("CURLOPT_WRITEFUNCTION", celeriac_curl_setopt_callback(setopt, handle, CURLOPT_WRITEFUNCTION, curlWrite))
        try set("CURLOPT_WRITEDATA", celeriac_curl_setopt_ptr(setopt, handle, CURLOPT_WRITEDATA, sinkPointer.toOpaque()))
        try set("CURLOPT_HEADERFUNCTION", celeriac_curl_setopt_callback(setopt, handle, CURLOPT_HEADERFUNCTION, curlHeader))
        try set("CURLOPT_HEADERDATA", celeriac_curl_setopt_ptr(setopt, handle, CURLOPT_HEADERDATA, sinkPointer.toOpaque()))
        if request.method != "GET" {
            try set("CURLOPT_CUSTOMREQUEST", celeriac_curl_setopt_ptr(setopt, handle, CURLOPT_CUSTOMREQUEST, request.method))
        }
        if let body = request.body {
            try set("CURLOPT_POSTFIELDSIZE", celeriac_curl_setopt_long(setopt, handle, CURLOPT_POSTFIELDSIZE, body.count))
            let code = body.withUnsafeBytes { bytes in
                celeriac_curl_setopt_ptr(setopt, handle, CURLOPT_COPYPOSTFIELDS, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1))
            }
            try set("CURLOPT_COPYPOSTFIELDS", code)
        }
        let result = curl.easyPerform(handle)
        if let error = sink.streamError { throw error }
        if sink.overflowed { throw HTTPClientError.responseTooLarge(limit: request.maxResponseBytes) }
        guard result == CURLE_OK else {
            let message = curl.message(result)
            if result == CURLE_OPERATION_TIMEDOUT { throw HTTPClientError.timeout(message) }
            throw HTTPClientError.transport(message)
        }
        var code = 0
        let info = celeriac_curl_getinfo_long(curl.getinfo, handle, CURLINFO_RESPONSE_CODE, &code)
        guard info == CURLE_OK else {
            throw HTTPClientError.transport("curl_easy_getinfo(CURLINFO_RESPONSE_CODE): \(curl.message(info))")
        }
        return HTTPClientResponse(status: code, headers: sink.headers, body: sink.bytes)
    }
}

/// Collects the response: its headers, and its body up to a limit (or hands the body to a stream).
private final class ResponseSink {
    var bytes: [UInt8] = []
    var received = 0
    var headers: [(String, String)] = []
    let limit: Int
    let stream: (@Sendable ([UInt8]) throws -> Void)?
    var overflowed = false
    var streamError: (any Error)?

    init(limit: Int, stream: (@Sendable ([UInt8]) throws -> Void)?) {
        self.limit = limit
        self.stream = stream
    }
}

/// libcurl's write callback: append (or stream), or return 0 (abort) past the limit or
/// when the stream throws.
private func curlWrite(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    if sink.received + length > sink.limit {
        sink.overflowed = true
        return 0
    }
    sink.received += length
    let chunk = UnsafeRawBufferPointer(start: data, count: length)
    guard let stream = sink.stream else {
        sink.bytes.append(contentsOf: chunk)
        return length
    }
    do {
        try stream(Array(chunk))
        return length
    } catch {
        sink.streamError = error
        return 0
    }
}

/// libcurl's header callback: one line per call. A new status line (after a `1xx`) starts
/// the list again, so only the final response's headers are kept.
private func curlHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    if line.hasPrefix("HTTP/") {
        sink.headers.removeAll()
    } else if let colon = line.firstIndex(of: ":") {
        let name = String(line[..<colon])
        let value = line[line.index(after: colon)...].drop(while: \.isWhitespace)
        sink.headers.append((name, String(value.reversed().drop(while: \.isWhitespace).reversed())))
    }
    return length
}
