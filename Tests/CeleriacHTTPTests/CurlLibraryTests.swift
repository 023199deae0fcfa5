// Celeriac — a Celery-compatible job service in Swift.

import Testing

@testable import CeleriacHTTP

/// libcurl is loaded at run time, not linked: a machine without it gets a clear error from
/// the first request, never a crash at start.
@Suite struct CurlLibraryTests {
    @Test func loadsTheSystemLibrary() throws {
        _ = try CurlLibrary.shared.get()
    }

    @Test func aMissingLibraryIsAClearError() {
        let result = CurlLibrary.load(sonames: ["libcurl-celeriac-missing.so.9"])
        guard case .failure(.transport(let message)) = result else {
            Issue.record("expected a transport error, got \(result)")
            return
        }
        #expect(message.contains("cannot load libcurl") && message.contains("libcurl-celeriac-missing.so.9"))
    }
}
