// Celeriac — a Celery-compatible job service in Swift.

/// Python `repr()` of JSON values, for Celery's informational `argsrepr`/`kwargsrepr`
/// headers (Flower and `celery inspect` show them). Never parsed back.
public enum PythonRepr {
    /// `repr(tuple(args))`: `(2, 3)`, `('hi',)`, `()`.
    public static func tuple(_ items: [JSONValue]) -> String {
        if items.count == 1 { return "(" + of(items[0]) + ",)" }
        return "(" + items.map(of).joined(separator: ", ") + ")"
    }

    /// `repr(value)` for one JSON value.
    public static func of(_ value: JSONValue) -> String {
        switch value {
        case .null: "None"
        case .bool(let b): b ? "True" : "False"
        case .int(let i): String(i)
        case .double(let d): d.rounded() == d && abs(d) < 1e16 ? String(Int64(d)) + ".0" : "\(d)"
        case .string(let s): quoted(s)
        case .array(let a): "[" + a.map(of).joined(separator: ", ") + "]"
        case .object(let o):
            "{" + o.keys.sorted().map { quoted($0) + ": " + of(o[$0]!) }.joined(separator: ", ") + "}"
        }
    }

    private static func quoted(_ s: String) -> String {
        var out = "'"
        for scalar in s.unicodeScalars {
            switch scalar {
            case "'": out += "\\'"
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "'"
    }
}
