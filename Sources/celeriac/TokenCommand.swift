// Celeriac — a Celery-compatible job service in Swift.

import ArgumentParser
import CeleriacCore
import CeleriacPostgres
import CeleriacSystem
import Foundation

/// `celeriac token create|list|revoke`: API tokens, straight in the database (the first admin
/// token cannot come from an API that wants one). A token is printed once, on creation;
/// only its SHA-256 is stored. Running APIs see a change within a second.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Create, list and revoke API tokens (in CELERIAC_DATABASE_URL).",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Database: ParsableArguments {
        @Option(help: "libpq URL of the database (default: CELERIAC_DATABASE_URL or \(Settings.defaultDatabaseURL)).")
        var database: String?

        /// The repository, on a schema brought up to date first.
        func repository() async throws -> TokenRepository {
            let url = database ?? ProcessInfo.processInfo.environment["CELERIAC_DATABASE_URL"] ?? Settings.defaultDatabaseURL
            let client = PostgresClient(url: url, size: 1, name: "pg-token")
            _ = try await Migrator(client: client).migrate()
            return TokenRepository(client: client)
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a token and print it (once).")

        @Option(help: "A name for it: who or what uses it (1–100 of a-z A-Z 0-9 . _ - @).")
        var name: String

        @Option(help: "Comma-separated scopes: submit, read, admin, worker.")
        var scopes: String

        @OptionGroup var database: Database

        func run() async throws {
            do {
                try APIToken.checkName(name, operation: "token create")
                let scopes = try Scope.parseList(scopes, operation: "token create")
                let secret = TokenSecret.generate()
                let token = try await database.repository().create(name: name, scopes: scopes, sha256: secret.sha256, now: Date())
                FileHandle.standardError.write(Data(
                    "token \(token.name) (id \(token.id), scopes \(scopes.map(\.rawValue).sorted().joined(separator: ","))): shown once, keep it\n".utf8))
                print(secret.token)
            } catch let error as DomainError {
                throw ValidationError(error.message)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens: id, name, scopes, created, last used, revoked.")

        @OptionGroup var database: Database

        func run() async throws {
            print("id\tname\tscopes\tcreated_at\tlast_used_at\trevoked_at")
            for token in try await database.repository().list() {
                let time = { (date: Date?) in date.map(CeleryTime.format) ?? "-" }
                print("\(token.id)\t\(token.name)\t\(token.scopes.map(\.rawValue).sorted().joined(separator: ","))\t"
                    + "\(time(token.createdAt))\t\(time(token.lastUsedAt))\t\(time(token.revokedAt))")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by id or name.")

        @Argument(help: "The token's id or name.")
        var token: String

        @OptionGroup var database: Database

        func run() async throws {
            guard let revoked = try await database.repository().revoke(token, now: Date()) else {
                throw ValidationError("no token with id or name \(token)")
            }
            print("revoked token \(revoked.name) (id \(revoked.id))")
        }
    }
}
