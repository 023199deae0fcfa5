// Celeriac — a Celery-compatible job service in Swift.

/// One named entry of a JSON configuration file (a recipient source, a data load, a command
/// task): its members, checked to be an object with only known keys, and errors that name
/// the variable and the entry.
struct ConfigEntry {
    let variable: String
    let name: String
    let members: [String: JSONValue]

    /// - Parameter nameProblem: what is wrong with `name`, or nil when it is fine.
    init(variable: String, name: String, _ entry: JSONValue, known: Set<String>, nameProblem: String?) throws(ConfigError) {
        func fail(_ detail: String) -> ConfigError { Self.error(variable, name, detail) }
        if let nameProblem { throw fail(nameProblem) }
        guard case .object(let members) = entry else { throw fail("expected an object") }
        if let unknown = members.keys.sorted().first(where: { !known.contains($0) }) { throw fail("unknown entry \(unknown)") }
        self.variable = variable
        self.name = name
        self.members = members
    }

    func fail(_ detail: String) -> ConfigError { Self.error(variable, name, detail) }

    private static func error(_ variable: String, _ name: String, _ detail: String) -> ConfigError {
        ConfigError("\(variable): \(name.prefix(64)): \(detail)")
    }

    subscript(key: String) -> JSONValue? { members[key] }
}

/// `host` and `:port` of a URL's authority (`[v6]:port` with its brackets removed); nil for
/// an unclosed bracket.
enum Authority {
    static func split(_ authority: Substring) -> (host: Substring, port: Substring)? {
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            return (authority[authority.index(after: authority.startIndex)..<close], authority[authority.index(after: close)...])
        }
        if let colon = authority.lastIndex(of: ":") { return (authority[..<colon], authority[colon...]) }
        return (authority, "")
    }
}
