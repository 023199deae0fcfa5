// Celeriac — a Celery-compatible job service in Swift.

/// Who a mail goes to, as `notify.email`'s `to` gives it: one address (`"ana@example.com"`
/// or `{"email": …, "name": …}`), a list of them (each gets a message of their own), or a
/// recipient source from the worker's configuration (`{"source": "opted_in_users"}`).
public enum MailRecipients: Sendable, Equatable {
    case list([MailAddress])
    case source(String)

    /// The most addresses a list may hold: more belong in a source.
    public static let maxListCount = 1000

    /// - Throws: ``DomainError`` `invalid`, each fault at its pointer under `pointer`.
    public init(_ json: JSONValue, pointer: String) throws(DomainError) {
        func refuse(_ at: String, _ detail: String) -> DomainError { .invalid("mail", [.init(pointer: at, detail: detail)]) }
        switch json {
        case .string:
            self = .list([try Self.address(json, pointer: pointer)])
        case .object(let members) where members["source"] == nil:
            self = .list([try Self.address(json, pointer: pointer)])
        case .object(let members):
            guard members.count == 1, let name = members["source"]?.stringValue, JobSchema.Field.isSecretName(name) else {
                throw refuse(pointer, "a recipient source is {\"source\": <name of a configured source>}")
            }
            self = .source(name)
        case .array(let items):
            guard !items.isEmpty, items.count <= Self.maxListCount else {
                throw refuse(pointer, "a list of 1 to \(Self.maxListCount) recipients")
            }
            var addresses: [MailAddress] = []
            var errors: [DomainError.FieldError] = []
            for (index, item) in items.enumerated() {
                do { addresses.append(try Self.address(item, pointer: "\(pointer)/\(index)")) } catch { errors += error.fields }
            }
            guard errors.isEmpty else { throw DomainError.invalid("mail", errors) }
            self = .list(addresses)
        default:
            throw refuse(pointer, "expected an address, a list of addresses or {\"source\": name}")
        }
    }

    private static func address(_ json: JSONValue, pointer: String) throws(DomainError) -> MailAddress {
        switch json {
        case .string(let address): return try MailAddress(address: address, pointer: pointer)
        case .object(let members):
            guard let address = members["email"]?.stringValue, members.keys.allSatisfy({ $0 == "email" || $0 == "name" }) else {
                throw .invalid("mail", [.init(pointer: pointer, detail: "a recipient object is {\"email\", \"name\"}")])
            }
            return try MailAddress(name: members["name"]?.stringValue, address: address, pointer: pointer)
        default:
            throw .invalid("mail", [.init(pointer: pointer, detail: "expected an address")])
        }
    }
}
