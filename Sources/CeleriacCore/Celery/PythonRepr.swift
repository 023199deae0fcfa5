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

    /// Python's rule: single quotes unless the text has a `'` and no `"`.
    private static func quoted(_ s: String) -> String {
        let quote: Unicode.Scalar = s.contains("'") && !s.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for scalar in s.unicodeScalars {
            switch scalar {
            case quote, "\\": out += "\\" + String(scalar)
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                out += "\\x" + (hex.count == 1 ? "0" : "") + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + String(quote)
    }
}
