// Celeriac — a Celery-compatible job service in Swift.

/// The arguments a job takes: named fields with a type, a default and limits, in order (a
/// Celery client may pass them by position, as `args`, or by name, as `kwargs`). Checked at
/// enqueue (the API answers 422 naming the field) and again by the worker (a Celery
/// client's message ends FAILURE `TypeError` naming it).
///
/// ```swift
/// JobSchema([
///     .init("seconds", .number, required: true, minimum: 0, maximum: 3600),
///     .init("steps", .integer, default: 0, minimum: 0, maximum: 10_000),
/// ])
/// ```
public struct JobSchema: Sendable, Equatable {
    public enum FieldType: String, Sendable, CaseIterable {
        case string, integer, number, boolean, object, array
        /// The name of a secret (an environment variable or a key of the secrets file): the
        /// job looks the value up; only the name travels in the message.
        case secret
        /// A path relative to a directory of the job's configuration: no leading `/`, no `..`
        /// part, no NUL (the job still checks where symbolic links lead).
        case relativePath = "relative_path"
        /// One line of text that becomes part of a mail header (a subject): no CR, LF or NUL.
        case headerText = "header_text"
        /// Mail recipients (``MailRecipients``): an address, a list of them, or
        /// `{"source": name}`.
        case recipients
        /// Any JSON value.
        case any
    }

    public struct Field: Sendable, Equatable {
        public var name: String
        public var type: FieldType
        public var required: Bool
        public var defaultValue: JSONValue?
        public var minimum: Double?
        public var maximum: Double?
        /// Longest string, or most items of a list.
        public var maxLength: Int?
        /// Values a string may take.
        public var choices: [String]?
        public var summary: String

        public init(
            _ name: String, _ type: FieldType, required: Bool = false, default defaultValue: JSONValue? = nil,
            minimum: Double? = nil, maximum: Double? = nil, maxLength: Int? = nil, choices: [String]? = nil,
            summary: String = ""
        ) {
            self.name = name
            self.type = type
            self.required = required
            self.defaultValue = defaultValue
            self.minimum = minimum
            self.maximum = maximum
            self.maxLength = maxLength
            self.choices = choices
            self.summary = summary
        }
    }

    public var fields: [Field]
    /// Whether kwargs the schema does not name are accepted (and passed on unchecked).
    public var allowsOthers: Bool

    public init(_ fields: [Field] = [], allowsOthers: Bool = false) {
        self.fields = fields
        self.allowsOthers = allowsOthers
    }

    /// A schema that takes anything (a job that reads its own arguments).
    public static let open = JobSchema(allowsOthers: true)

    /// False when any arguments pass (no field is checked, others are allowed): the worker
    /// then skips the check.
    public var checksSomething: Bool {
        !allowsOthers || fields.contains { $0.required || $0.type != .any || $0.defaultValue != nil }
    }

    /// The arguments by name: positional `args` matched to the fields in order, then
    /// `kwargs`, defaults filled in; every fault is reported, each with a pointer
    /// (`/args/0`, `/kwargs/steps`).
    /// - Throws: ``DomainError`` `invalid` listing the faults.
    public func check(args: [JSONValue], kwargs: [String: JSONValue], operation: String) throws(DomainError) -> [String: JSONValue] {
        var errors: [DomainError.FieldError] = []
        var values: [String: JSONValue] = [:]
        var pointers: [String: String] = [:]
        if !allowsOthers, args.count > fields.count {
            errors.append(.init(pointer: "/args/\(fields.count)", detail: "takes at most \(fields.count) positional arguments"))
        }
        for (index, value) in args.prefix(fields.count).enumerated() {
            values[fields[index].name] = value
            pointers[fields[index].name] = "/args/\(index)"
        }
        for (name, value) in kwargs {
            if pointers[name] != nil {
                errors.append(.init(pointer: "/kwargs/\(name)", detail: "given both by position and by name"))
                continue
            }
            values[name] = value
            pointers[name] = "/kwargs/\(name)"
        }
        let known = Set(fields.map(\.name))
        if !allowsOthers {
            for name in values.keys.sorted() where !known.contains(name) {
                errors.append(.init(pointer: "/kwargs/\(name)", detail: "unknown argument; takes \(fields.map(\.name).joined(separator: ", "))"))
            }
        }
        for field in fields {
            guard let value = values[field.name], value != .null else {
                if field.required {
                    errors.append(.init(pointer: "/kwargs/\(field.name)", detail: "required"))
                } else if let defaultValue = field.defaultValue {
                    values[field.name] = defaultValue
                }
                continue
            }
            if let problem = field.problem(with: value) {
                errors.append(.init(pointer: pointers[field.name] ?? "/kwargs/\(field.name)", detail: problem))
            }
        }
        guard errors.isEmpty else { throw DomainError.invalid(operation, errors) }
        return values
    }

    /// `{fields: [{name, type, required, default, minimum, maximum, max_length, choices, summary}], allows_others}`.
    public var json: JSONValue {
        .object([
            "fields": .array(fields.map { field in
                var object: [String: JSONValue] = [
                    "name": .string(field.name), "type": .string(field.type.rawValue), "required": .bool(field.required),
                    "summary": .string(field.summary),
                ]
                if let value = field.defaultValue { object["default"] = value }
                if let value = field.minimum { object["minimum"] = .double(value) }
                if let value = field.maximum { object["maximum"] = .double(value) }
                if let value = field.maxLength { object["max_length"] = .int(Int64(value)) }
                if let value = field.choices { object["choices"] = .array(value.map(JSONValue.string)) }
                return .object(object)
            }),
            "allows_others": .bool(allowsOthers),
        ])
    }
}

extension JobSchema.Field {
    /// What is wrong with `value` for this field, or nil.
    func problem(with value: JSONValue) -> String? {
        switch (type, value) {
        case (.any, _): return nil
        case (.relativePath, .string(let text)):
            if text.hasPrefix("/") || text.contains("\0") || text.split(separator: "/").contains("..") {
                return "expected a relative path without '..' parts"
            }
            if text.utf8.count > (maxLength ?? 1024) { return "longer than \(maxLength ?? 1024) bytes" }
            return nil
        case (.headerText, .string(let text)):
            if HeaderText.hasLineBreakOrNUL(text) { return "must be one line: no CR, LF or NUL" }
            if let maxLength, text.count > maxLength { return "longer than \(maxLength) characters" }
            return nil
        case (.recipients, _):
            do {
                _ = try MailRecipients(value, pointer: "")
                return nil
            } catch {
                return error.fields.map { $0.pointer.isEmpty ? $0.detail : "item \($0.pointer.dropFirst()): \($0.detail)" }
                    .joined(separator: "; ")
            }
        case (.string, .string(let text)), (.secret, .string(let text)):
            if let maxLength, text.count > maxLength { return "longer than \(maxLength) characters" }
            if type == .secret, !Self.isSecretName(text) {
                return "expected the name of a secret (letters, digits, '_', '-', '.'), not a value"
            }
            if let choices, !choices.contains(text) { return "expected one of \(choices.joined(separator: ", "))" }
            return nil
        case (.integer, .int(let number)):
            return range(Double(number))
        case (.integer, .double(let number)) where number.rounded() == number && abs(number) < 9e15:
            return range(number)
        case (.number, .int(let number)): return range(Double(number))
        case (.number, .double(let number)): return number.isFinite ? range(number) : "expected a finite number"
        case (.boolean, .bool): return nil
        case (.object, .object(let members)):
            if let maxLength, members.count > maxLength { return "more than \(maxLength) members" }
            return nil
        case (.array, .array(let items)):
            if let maxLength, items.count > maxLength { return "more than \(maxLength) items" }
            return nil
        default:
            let expected =
                switch type {
                case .secret: "the name of a secret"
                case .relativePath: "a relative path"
                case .headerText: "a string"
                default: type.rawValue
                }
            return "expected \(expected), got \(value.kindName)"
        }
    }

    private func range(_ number: Double) -> String? {
        if let minimum, number < minimum { return "must be at least \(Self.text(minimum))" }
        if let maximum, number > maximum { return "must be at most \(Self.text(maximum))" }
        return nil
    }

    private static func text(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }

    /// A secret is named, never given: a name is short and plain, so a URL or a password
    /// pasted in by mistake is refused rather than carried in the message.
    static func isSecretName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 128
            && text.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x5F || byte == 0x2D || byte == 0x2E
            }
    }
}
