// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Secret values (webhook URLs, passwords, keys) that kwargs name but never carry: looked up
/// in the secrets file named by `CELERIAC_SECRETS_FILE` (a JSON object of names to strings),
/// then in the worker's environment. A value is never logged, reported or put in a result;
/// errors name the secret, not its value.
public struct Secrets: Sendable {
    private let file: [String: String]
    private let environment: [String: String]

    public init(file: [String: String] = [:], environment: [String: String] = [:]) {
        self.file = file
        self.environment = environment
    }

    /// Reads the file at `path` (when given) beside `environment`.
    /// - Throws: ``ConfigError`` for a file that cannot be read or is not a JSON object of strings.
    public static func load(path: String?, environment: [String: String]) throws(ConfigError) -> Secrets {
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

    /// The value of secret `name`.
    /// - Throws: ``JobFailure`` `KeyError` naming the secret when it is configured nowhere.
    public func value(_ name: String) throws -> String {
        if let value = file[name] ?? environment[name], !value.isEmpty { return value }
        throw JobFailure(
            type: "KeyError",
            message: "secret \(name.prefix(128)) is not configured (CELERIAC_SECRETS_FILE or the worker's environment)",
            retryable: false)
    }
}
