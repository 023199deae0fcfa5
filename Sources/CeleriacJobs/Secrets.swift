// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Secret values (webhook URLs, passwords, keys) that kwargs name but never carry: looked up
/// in the secrets file named by `CELERIAC_SECRETS_FILE` (a JSON object of names to strings),
/// then among the environment variables `CELERIAC_SECRETS_FROM_ENV` lists (by default
/// ``defaultEnvironmentNames``): a task cannot name any other variable of the worker's
/// environment, its own token least of all. A value is never logged, reported or put in a
/// result; errors name the secret, not its value.
public struct Secrets: Sendable {
    private let file: [String: String]
    private let environment: [String: String]

    public init(file: [String: String] = [:], environment: [String: String] = [:]) {
        self.file = file
        self.environment = environment
    }

    /// The environment variables that are secrets when `CELERIAC_SECRETS_FROM_ENV` is unset:
    /// the built-in jobs' defaults.
    public static let defaultEnvironmentNames = ["CELERIAC_DATABASE_URL", "SLACK_WEBHOOK_URL", "VAPID_PRIVATE_KEY", "SMTP_URL"]

    /// Variables that are never secrets, even when listed: the credentials of the service itself.
    static let forbiddenNames: Set<String> = ["CELERIAC_WORKER_TOKEN", "CELERIAC_TOKEN"]

    /// Reads the file at `path` (when given) and the variables of `environment` that
    /// `CELERIAC_SECRETS_FROM_ENV` lists.
    /// - Throws: ``ConfigError`` for a file that cannot be read or is not a JSON object of
    ///   strings, or a list naming the service's own credentials.
    public static func load(path: String?, environment: [String: String]) throws(ConfigError) -> Secrets {
        let names = try environmentNames(environment["CELERIAC_SECRETS_FROM_ENV"])
        let environment = environment.filter { names.contains($0.key) }
        guard let path, !path.isEmpty else { return Secrets(environment: environment) }
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw ConfigError("CELERIAC_SECRETS_FILE: cannot read \(path)")
        }
        guard bytes.count <= 1 << 20, case .object(let members)? = try? JSONValue.parse(bytes) else {
            throw ConfigError("CELERIAC_SECRETS_FILE: \(path) is not a JSON object of names to strings (at most 1 MiB)")
        }
        var file: [String: String] = [:]
        for (name, value) in members {
            guard let text = value.stringValue else {
                throw ConfigError("CELERIAC_SECRETS_FILE: \(path): \(name.prefix(64)) is not a string")
            }
            file[name] = text
        }
        return Secrets(file: file, environment: environment)
    }

    static func environmentNames(_ list: String?) throws(ConfigError) -> Set<String> {
        guard let list else { return Set(defaultEnvironmentNames) }
        let names = Set(list.split(separator: ",").map { String($0.filter { !$0.isWhitespace }) }.filter { !$0.isEmpty })
        if let forbidden = names.first(where: forbiddenNames.contains) {
            throw ConfigError("CELERIAC_SECRETS_FROM_ENV: \(forbidden) is the service's own credential, never a task's secret")
        }
        return names
    }

    /// The value of secret `name`.
    /// - Throws: ``JobFailure`` `KeyError` naming the secret when it is configured nowhere.
    public func value(_ name: String) throws -> String {
        if let value = file[name] ?? environment[name], !value.isEmpty { return value }
        throw JobFailure(
            type: "KeyError",
            message: "secret \(name.prefix(128)) is not configured (in CELERIAC_SECRETS_FILE, or a variable CELERIAC_SECRETS_FROM_ENV lists)",
            retryable: false)
    }
}
