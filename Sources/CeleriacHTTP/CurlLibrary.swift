// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
internal import CCurl

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// libcurl, loaded with `dlopen` the first time an HTTP request is made rather than linked:
/// linking maps libcurl and its TLS, Kerberos, LDAP, SSH... libraries into every process at
/// start, about 5.6 MiB of an idle worker's memory, though a worker with no tasks never sends
/// a request. The library stays loaded for the life of the process.
struct CurlLibrary: @unchecked Sendable {
    // Safe to share: immutable C function addresses.
    typealias Handle = UnsafeMutableRawPointer

    let globalInit: @convention(c) (Int) -> CURLcode
    let easyInit: @convention(c) () -> Handle?
    let easyCleanup: @convention(c) (Handle?) -> Void
    let easyReset: @convention(c) (Handle?) -> Void
    let easyPerform: @convention(c) (Handle?) -> CURLcode
    let easyStrerror: @convention(c) (CURLcode) -> UnsafePointer<CChar>?
    let slistAppend: @convention(c) (UnsafeMutablePointer<curl_slist>?, UnsafePointer<CChar>?) -> UnsafeMutablePointer<curl_slist>?
    let slistFreeAll: @convention(c) (UnsafeMutablePointer<curl_slist>?) -> Void
    /// Variadic: called through the `celeriac_curl_setopt_*`/`getinfo` shims.
    let setopt: UnsafeMutableRawPointer
    let getinfo: UnsafeMutableRawPointer

    /// The library, loaded and globally initialised once; or why it could not be.
    static let shared: Result<CurlLibrary, HTTPClientError> = load(sonames: sonames)

    /// Sonames tried in order: Debian's libcurl4 (OpenSSL), then the GnuTLS build.
    static let sonames = ["libcurl.so.4", "libcurl-gnutls.so.4"]

    static func load(sonames: [String]) -> Result<CurlLibrary, HTTPClientError> {
        guard let library = sonames.lazy.compactMap({ dlopen($0, RTLD_NOW | RTLD_LOCAL) }).first else {
            let reason = dlerror().map { String(cString: $0) } ?? "not found"
            return .failure(.transport("cannot load libcurl (\(sonames.joined(separator: ", "))): \(reason)"))
        }
        var missing: [String] = []
        func symbol<T>(_ name: String, as type: T.Type) -> T? {
            guard let address = dlsym(library, name) else {
                missing.append(name)
                return nil
            }
            return unsafeBitCast(address, to: type)
        }
        guard
            let globalInit = symbol("curl_global_init", as: (@convention(c) (Int) -> CURLcode).self),
            let easyInit = symbol("curl_easy_init", as: (@convention(c) () -> Handle?).self),
            let easyCleanup = symbol("curl_easy_cleanup", as: (@convention(c) (Handle?) -> Void).self),
            let easyReset = symbol("curl_easy_reset", as: (@convention(c) (Handle?) -> Void).self),
            let easyPerform = symbol("curl_easy_perform", as: (@convention(c) (Handle?) -> CURLcode).self),
            let easyStrerror = symbol("curl_easy_strerror", as: (@convention(c) (CURLcode) -> UnsafePointer<CChar>?).self),
            let slistAppend = symbol(
                "curl_slist_append",
                as: (@convention(c) (UnsafeMutablePointer<curl_slist>?, UnsafePointer<CChar>?) -> UnsafeMutablePointer<curl_slist>?).self),
            let slistFreeAll = symbol("curl_slist_free_all", as: (@convention(c) (UnsafeMutablePointer<curl_slist>?) -> Void).self),
            let setopt = dlsym(library, "curl_easy_setopt"),
            let getinfo = dlsym(library, "curl_easy_getinfo")
        else {
            return .failure(.transport("libcurl lacks \(missing.isEmpty ? "curl_easy_setopt/getinfo" : missing.joined(separator: ", "))"))
        }
        let curl = CurlLibrary(
            globalInit: globalInit, easyInit: easyInit, easyCleanup: easyCleanup, easyReset: easyReset,
            easyPerform: easyPerform, easyStrerror: easyStrerror, slistAppend: slistAppend, slistFreeAll: slistFreeAll,
            setopt: setopt, getinfo: getinfo)
        // Not thread-safe in libcurl; `shared` is a lazy global, initialised exactly once.
        let code = curl.globalInit(Int(CURL_GLOBAL_DEFAULT))
        guard code == CURLE_OK else { return .failure(.transport("curl_global_init failed: \(curl.message(code))")) }
        return .success(curl)
    }

    func message(_ code: CURLcode) -> String {
        easyStrerror(code).map { String(cString: $0) } ?? "curl error \(code.rawValue)"
    }

    /// The options every transfer sets: its URL, no signals (threads), a bound on the whole
    /// transfer and a shorter one on connecting, no Nagle delay. Returns the first option
    /// refused, with libcurl's code, or nil.
    func setTransferOptions(_ handle: Handle, url: String, timeout: Duration, connectCap: Duration) -> (String, CURLcode)? {
        let millis = Int(timeout.wholeMilliseconds)
        let options: [(String, CURLcode)] = [
            ("CURLOPT_URL", celeriac_curl_setopt_ptr(setopt, handle, CURLOPT_URL, url)),
            ("CURLOPT_NOSIGNAL", celeriac_curl_setopt_long(setopt, handle, CURLOPT_NOSIGNAL, 1)),
            ("CURLOPT_TIMEOUT_MS", celeriac_curl_setopt_long(setopt, handle, CURLOPT_TIMEOUT_MS, millis)),
            (
                "CURLOPT_CONNECTTIMEOUT_MS",
                celeriac_curl_setopt_long(setopt, handle, CURLOPT_CONNECTTIMEOUT_MS, min(millis, Int(connectCap.wholeMilliseconds)))
            ),
            ("CURLOPT_TCP_NODELAY", celeriac_curl_setopt_long(setopt, handle, CURLOPT_TCP_NODELAY, 1)),
        ]
        return options.first { $0.1 != CURLE_OK }
    }
}
