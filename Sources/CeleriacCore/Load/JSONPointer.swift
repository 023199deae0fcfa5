// Celeriac — a Celery-compatible job service in Swift.

/// RFC 6901 JSON pointers (`/features/0/properties/name`; `~1` is `/`, `~0` is `~`).
public struct JSONPointer: Sendable, Equatable {
    public let tokens: [String]

    /// Nil for text that is neither empty (the whole document) nor starts with `/`.
    public init?(_ text: String) {
        guard text.isEmpty || text.hasPrefix("/") else { return nil }
        guard !text.isEmpty else {
            tokens = []
            return
        }
        var tokens: [String] = []
        for part in text.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            var token = ""
            var escaped = false
            for character in part {
                if escaped {
                    token.append(character == "1" ? "/" : character == "0" ? "~" : character)
                    escaped = false
                } else if character == "~" {
                    escaped = true
                } else {
                    token.append(character)
                }
            }
            tokens.append(token)
        }
        self.tokens = tokens
    }

    /// The value it points at in `document`, or nil when there is none.
    public func value(in document: JSONValue) -> JSONValue? {
        var current = document
        for token in tokens {
            switch current {
            case .object(let members):
                guard let next = members[token] else { return nil }
                current = next
            case .array(let items):
                guard let index = Int(token), items.indices.contains(index) else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }
}
