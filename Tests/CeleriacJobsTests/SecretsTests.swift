// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import Foundation
import Testing

@testable import CeleriacJobs

/// A task names secrets; only the secrets file and the environment variables listed as
/// secrets answer, never the rest of the worker's environment.
@Suite struct SecretsTests {
    static let environment = [
        "HOME": "/root", "SLACK_WEBHOOK_URL": "https://hooks.example/1", "CELERIAC_WORKER_TOKEN": "worker-secret",
        "OPS_SLACK": "https://hooks.example/ops", "CELERIAC_DATABASE_URL": "postgresql://db/app",
    ]

    @Test func onlyListedVariablesAreSecrets() throws {
        let secrets = try Secrets.load(path: nil, environment: Self.environment)
        #expect(try secrets.value("SLACK_WEBHOOK_URL") == "https://hooks.example/1")
        #expect(try secrets.value("CELERIAC_DATABASE_URL") == "postgresql://db/app")
        for name in ["HOME", "CELERIAC_WORKER_TOKEN", "OPS_SLACK", "PATH"] {
            #expect(throws: JobFailure.self, "\(name)") { try secrets.value(name) }
        }
        var listed = Self.environment
        listed["CELERIAC_SECRETS_FROM_ENV"] = " OPS_SLACK ,"
        let chosen = try Secrets.load(path: nil, environment: listed)
        #expect(try chosen.value("OPS_SLACK") == "https://hooks.example/ops")
        #expect(throws: JobFailure.self) { try chosen.value("SLACK_WEBHOOK_URL") }
    }

    @Test func theServicesOwnCredentialsCannotBeListed() {
        for list in ["CELERIAC_WORKER_TOKEN", "OPS_SLACK,CELERIAC_TOKEN"] {
            var environment = Self.environment
            environment["CELERIAC_SECRETS_FROM_ENV"] = list
            #expect(throws: ConfigError.self, "\(list)") { try Secrets.load(path: nil, environment: environment) }
        }
    }

    @Test func theFileComesFirstAndAMissingSecretIsNamedNotShown() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("secrets-\(UUID()).json").path
        try Data(#"{"SLACK_WEBHOOK_URL": "https://hooks.example/file", "DB": "postgresql://u:pw@h/d"}"#.utf8)
            .write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let secrets = try Secrets.load(path: path, environment: Self.environment)
        #expect(try secrets.value("SLACK_WEBHOOK_URL") == "https://hooks.example/file")
        #expect(try secrets.value("DB") == "postgresql://u:pw@h/d")
        do {
            _ = try secrets.value("NOPE")
            Issue.record("an unknown secret must fail")
        } catch let failure as JobFailure {
            #expect(failure.message.contains("NOPE") && !failure.message.contains("pw") && !failure.retryable)
        }
    }
}
