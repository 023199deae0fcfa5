// Celeriac — a Celery-compatible job service in Swift.

import Foundation
import Testing
import Yams

/// No Docker engine runs here, so the container files are checked by reading them: what they
/// name must exist in this repository and agree with the README and the code.
@Suite struct DeploymentFilesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    static let executables = ["celeriac-api", "celeriac-worker", "celeriac-beat", "celeriac"]

    @Test func composeRunsRedisPostgresApiWorkerAndBeat() throws {
        let compose = try #require(try Yams.load(yaml: try Self.text("docker-compose.yml")) as? [String: Any])
        let services = try #require(compose["services"] as? [String: [String: Any]])
        #expect(Set(services.keys) == ["redis", "postgres", "api", "worker", "beat"])
        for name in ["redis", "postgres", "api"] {
            #expect(services[name]?["healthcheck"] != nil, "\(name) has no healthcheck")
        }
        let api = try #require(services["api"])
        let apiEnv = try #require(api["environment"] as? [String: Any])
        #expect(apiEnv["CELERIAC_REDIS_URL"] as? String == "redis://redis:6379/0")
        #expect((apiEnv["CELERIAC_DATABASE_URL"] as? String)?.contains("@postgres:5432/") == true)
        #expect((api["command"] as? [String])?.first == "celeriac-api")
        let worker = try #require(services["worker"])
        #expect((worker["command"] as? [String])?.first == "celeriac-worker")
        #expect((worker["environment"] as? [String: Any])?["CELERIAC_API_URL"] as? String == "http://api:8080")
        let beat = try #require(services["beat"])
        #expect((beat["command"] as? [String])?.first == "celeriac-beat")
        let beatEnv = try #require(beat["environment"] as? [String: Any])
        #expect(beatEnv["CELERIAC_REDIS_URL"] as? String == apiEnv["CELERIAC_REDIS_URL"] as? String)
        #expect(beatEnv["CELERIAC_DATABASE_URL"] as? String == apiEnv["CELERIAC_DATABASE_URL"] as? String)
        // Every environment variable compose sets is one the code reads.
        let settings = try Self.text("Sources/CeleriacCore/Config/Settings.swift")
        for service in services.values {
            for key in (service["environment"] as? [String: Any])?.keys.filter({ $0.hasPrefix("CELERIAC_") }) ?? [] {
                #expect(settings.contains("\"\(key)\""), "\(key) is not read by Settings")
            }
        }
    }

    @Test func dockerfileIsMultiStageNonRootAndBuildsEveryBinary() throws {
        let lines = try Self.text("Dockerfile").split(separator: "\n").map(String.init)
        let stages = lines.filter { $0.hasPrefix("FROM ") }
        #expect(stages.count >= 2)
        let user = try #require(lines.last { $0.hasPrefix("USER ") })
        #expect(user != "USER root" && user != "USER 0")
        let dockerfile = lines.joined(separator: "\n")
        for product in Self.executables {
            #expect(dockerfile.contains("--product \(product)"), "\(product) not built")
            #expect(try Self.text("Package.swift").contains("name: \"\(product)\""))
        }
        // `make release` and the image build the same way (static Swift runtime), so the
        // run stage needs no Swift libraries.
        #expect(try Self.text("Makefile").contains("build -c release --static-swift-stdlib"))
        for product in Self.executables {
            #expect(dockerfile.contains("build -c release --static-swift-stdlib --product \(product)"))
        }
        #expect(!dockerfile.contains("/usr/lib/swift"))
        // Every path copied into the build exists.
        for line in lines where line.hasPrefix("COPY ") && !line.contains("--from") {
            let source = line.split(separator: " ")[1]
            #expect(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(String(source)).path), "\(line)")
        }
    }

    @Test func openAPIDocumentsEveryRouteAndIsEmbeddedVerbatim() throws {
        let text = try Self.text("openapi.yaml")
        let spec = try #require(try Yams.load(yaml: text) as? [String: Any])
        #expect(spec["openapi"] as? String == "3.1.0")
        let paths = try #require(spec["paths"] as? [String: Any])
        #expect(Set(paths.keys).isSuperset(of: ["/tasks", "/tasks/{id}", "/health", "/ready", "/openapi.yaml", "/internal/reports"]))
        // Routes registered in code are all documented.
        let sources = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Sources/CeleriacAPI").path)
        for file in sources where file.hasSuffix("Routes.swift") {
            let code = try Self.text("Sources/CeleriacAPI/\(file)")
            for match in code.matches(of: /router\.(get|post|put|patch|delete)\("([^"]+)"/) {
                #expect(paths[String(match.output.2)] != nil, "\(match.output.2) in \(file) missing from openapi.yaml")
            }
        }
        // scripts/embed-openapi.sh keeps the served copy identical.
        let folder = "Sources/CeleriacAPI/OpenAPIDocument"
        let index = try Self.text("\(folder)/OpenAPIDocument.swift")
        let names = try #require(index.firstMatch(of: /yaml = \[([a-z0-9, ]+)\]/)).output.1.split(separator: ", ")
        let bodies = try names.map { name in
            let embedded = try Self.text("\(folder)/OpenAPIDocument+\(name.prefix(1).uppercased() + name.dropFirst()).swift")
            return embedded.components(separatedBy: "#\"\"\"\n")[1].components(separatedBy: "\n        \"\"\"#")[0]
        }
        let unindented = bodies.joined(separator: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("        ") ? String($0.dropFirst(8)) : String($0) }.joined(separator: "\n")
        let expected = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { String($0).replacing(/\s+$/, with: "") }.joined(separator: "\n")
        #expect(unindented + "\n" == expected, "run scripts/embed-openapi.sh")
    }
}
