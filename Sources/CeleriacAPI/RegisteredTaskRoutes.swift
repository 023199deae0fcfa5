// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTPServer
import CeleriacRedis
import CeleriacSystem
import Foundation
import Hummingbird

/// `GET /registered-tasks`: every task name `POST /tasks` accepts: what our workers announced
/// (with each job's arguments, limits and retry policy) and what configuration allows.
struct RegisteredTaskRoutes: Sendable {
    let api: APIContext

    func register(on routes: RouteTable) {
        routes.add(.get, "/registered-tasks", access: .scope(.read)) { _, _ in
            let asked = await api.knownTasks.askCeleryWorkersIfDue()
            let entries = try await api.knownTasks.entries(maxAge: asked ? 0 : KnownTasks.missInterval)
            var items: [JSONValue] = entries.keys.sorted().compactMap { name in
                guard let entry = entries[name], case .object(var object) = entry.spec.json else { return nil }
                object["source"] = .string(entry.source)
                object["last_seen"] = entry.lastSeen.map { .string(CeleryTime.format($0)) } ?? nil
                return .object(object)
            }
            for name in api.knownTasks.allowedNames.sorted() where entries[name] == nil {
                items.append(.object(["name": .string(name), "source": "configuration"]))
            }
            let enforced = !entries.isEmpty || !api.knownTasks.allowedNames.isEmpty || !api.knownTasks.allowedPrefixes.isEmpty
            var writer = JSONWriter(keyOrder: [
                "items", "allowed_prefixes", "enforced", "name", "source", "summary", "schema", "fields", "type", "required",
                "default", "minimum", "maximum", "max_length", "choices", "allows_others", "time_limit", "soft_time_limit",
                "retry", "last_seen",
            ])
            writer.write(.object([
                "items": .array(items),
                "allowed_prefixes": .array(api.knownTasks.allowedPrefixes.map { .string($0 + "*") }),
                "enforced": .bool(enforced),
            ]))
            return .json(writer.output)
        }
    }
}
