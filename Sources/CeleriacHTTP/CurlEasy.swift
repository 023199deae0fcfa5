// Celeriac — a Celery-compatible job service in Swift.

internal import CCurl
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The only owner of one `CURL*` easy handle. Not thread-safe: used only on the
/// ``BlockingThread`` of the ``HTTPClient`` slot that created it. Reused between requests so
/// keep-alive connections survive (`curl_easy_reset` keeps the connection cache).
final class CurlEasy {
    private let curl: CurlLibrary
    private var handle: UnsafeMutableRawPointer?

    init() throws(HTTPClientError) {
        curl = try CurlLibrary.shared.get()
        guard let handle = curl.easyInit() else { throw .transport("curl_easy_init failed") }
        self.handle = handle
    }

    deinit { if let handle { curl.easyCleanup(handle) } }

    /// Performs one request, blocking the calling (owned) thread for at most `timeout`.
    func perform(_ request: HTTPClientRequest) throws(HTTPClientError) -> HTTPClientResponse {
        guard let handle else { throw .transport("handle closed") }
        curl.easyReset(handle)
        let sink = ResponseSink(limit: request.maxResponseBytes)
        let sinkPointer = Unmanaged.passRetained(sink)
        defer { sinkPointer.release() }
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl.slistFreeAll(headerList) }
        for (name, value) in request.headers {
            headerList = curl.slistAppend(headerList, "\(name): \(value)")
        }
        headerList = curl.slistAppend(headerList, "Expect:")  // no 100-continue round trip
        let timeoutMillis = Int(request.timeout.components.seconds * 1000 + request.timeout.components.attoseconds / 1_000_000_000_000_000)
        var status = CURLE_OK
        func set(_ code: CURLcode) { if status == CURLE_OK { status = code } }
        set(celeriac_curl_setopt_ptr(curl.setopt, handle, CURLOPT_URL, request.url))
        set(celeriac_curl_setopt_long(curl.setopt, handle, CURLOPT_NOSIGNAL, 1))
        set(celeriac_curl_setopt_long(curl.setopt, handle, CURLOPT_TIMEOUT_MS, timeoutMillis))
        set(celeriac_curl_setopt_long(curl.setopt, handle, CURLOPT_CONNECTTIMEOUT_MS, min(timeoutMillis, 5000)))
        set(celeriac_curl_setopt_long(curl.setopt, handle, CURLOPT_TCP_NODELAY, 1))
        set(celeriac_curl_setopt_ptr(curl.setopt, handle, CURLOPT_HTTPHEADER, headerList))
        set(celeriac_curl_setopt_write(curl.setopt, handle, curlWrite))
        set(celeriac_curl_setopt_ptr(curl.setopt, handle, CURLOPT_WRITEDATA, sinkPointer.toOpaque()))
        if request.method != "GET" { set(celeriac_curl_setopt_ptr(curl.setopt, handle, CURLOPT_CUSTOMREQUEST, request.method)) }
        if let body = request.body {
            set(celeriac_curl_setopt_long(curl.setopt, handle, CURLOPT_POSTFIELDSIZE, body.count))
            body.withUnsafeBytes { bytes in
                set(celeriac_curl_setopt_ptr(curl.setopt, handle, CURLOPT_COPYPOSTFIELDS, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)))
            }
        }
        guard status == CURLE_OK else { throw .transport(curl.message(status)) }
        let result = curl.easyPerform(handle)
        if sink.overflowed { throw .responseTooLarge(limit: request.maxResponseBytes) }
        guard result == CURLE_OK else {
            let message = curl.message(result)
            if result == CURLE_OPERATION_TIMEDOUT { throw .timeout(message) }
            throw .transport(message)
        }
        var code = 0
        _ = celeriac_curl_getinfo_long(curl.getinfo, handle, CURLINFO_RESPONSE_CODE, &code)
        return HTTPClientResponse(status: code, body: sink.bytes)
    }
}

/// Collects the response body up to a limit.
private final class ResponseSink {
    var bytes: [UInt8] = []
    let limit: Int
    var overflowed = false
    init(limit: Int) { self.limit = limit }
}

/// libcurl's write callback: append, or return 0 (abort) past the limit.
private func curlWrite(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    if sink.bytes.count + length > sink.limit {
        sink.overflowed = true
        return 0
    }
    data.withMemoryRebound(to: UInt8.self, capacity: length) { sink.bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: length)) }
    return length
}
