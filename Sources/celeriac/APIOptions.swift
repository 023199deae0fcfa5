// Celeriac — a Celery-compatible job service in Swift.

import ArgumentParser
import CeleriacCore
import CeleriacHTTP
import Foundation

/// Where the API is, shared by every subcommand.
struct APIOptions: ParsableArguments {
    @Option(help: "API base URL (default: CELERIAC_API_URL or http://127.0.0.1:8080).")
    var api: String?

    @Option(help: "Bearer token (default: CELERIAC_TOKEN); make one with `celeriac token create`.")
    var token: String?

    var baseURL: String {
        let url = api ?? ProcessInfo.processInfo.environment["CELERIAC_API_URL"] ?? "http://127.0.0.1:8080"
        return url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    var headers: [(String, String)] {
        var headers = [("Content-Type", "application/json")]
        if let token = token ?? ProcessInfo.processInfo.environment["CELERIAC_TOKEN"], !token.isEmpty {
            headers.append(("Authorization", "Bearer \(token)"))
        }
        return headers
    }

    /// Sends a request; prints the body; fails with the problem's detail on 4xx/5xx.
    func call(_ method: String, _ path: String, body: String? = nil) async throws -> HTTPClientResponse {
        let client = HTTPClient(concurrency: 1, name: "cli")
        let response = try await client.send(
            HTTPClientRequest(
                method: method, url: baseURL + path, headers: headers,
                body: body.map { Array($0.utf8) }, timeout: .seconds(40)))
        guard response.status < 400 else {
            let detail = (try? JSONValue.parse(response.body))?["detail"]?.stringValue ?? response.text
            throw ValidationError("HTTP \(response.status): \(detail)")
        }
        return response
    }
}
