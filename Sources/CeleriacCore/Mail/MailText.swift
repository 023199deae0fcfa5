// Celeriac — a Celery-compatible job service in Swift.

/// The plain-text part of a mail when a template gives only HTML: what a reader of the
/// HTML would see, without tags. Block elements break lines, list items get a `- `, a link
/// keeps its address after its text (`text (https://…)`), `<script>`, `<style>` and
/// `<head>` are dropped, the common entities and numeric references are decoded.
public enum MailText {
    public static func plain(fromHTML html: String) -> String {
        var output = ""
        var scalars = html.unicodeScalars[...]
        var skipping: String?  // inside <script>, <style> or <head>, until its end tag
        var links: [String?] = []
        while let first = scalars.first {
            if first == "<" {
                guard let close = scalars.firstIndex(of: ">") else { break }
                let tag = String(scalars[scalars.index(after: scalars.startIndex)..<close])
                scalars = scalars[scalars.index(after: close)...]
                let name = tagName(tag)
                if let open = skipping {
                    if name == "/" + open { skipping = nil }
                    continue
                }
                switch name {
                case "script", "style", "head": skipping = name
                case "br": output += "\n"
                case "p", "/p", "div", "/div", "h1", "h2", "h3", "h4", "h5", "h6", "/h1", "/h2", "/h3", "/h4", "/h5", "/h6",
                    "tr", "/tr", "table", "/table", "ul", "/ul", "ol", "/ol", "blockquote", "/blockquote":
                    breakParagraph(&output)
                case "hr": breakParagraph(&output); output += "----\n"
                case "li": breakLine(&output); output += "- "
                case "/li": breakLine(&output)
                case "td", "th": if !output.isEmpty && !output.hasSuffix("\n") && !output.hasSuffix(" ") { output += " " }
                case "a": links.append(attribute("href", in: tag))
                case "/a":
                    if let href = links.popLast() ?? nil, !href.isEmpty, !href.hasPrefix("#"), !output.hasSuffix(href) {
                        output += " (\(href))"
                    }
                default: break
                }
                continue
            }
            let end = scalars.firstIndex(of: "<") ?? scalars.endIndex
            let text = String(scalars[..<end])
            scalars = scalars[end...]
            if skipping == nil { appendCollapsed(decodeEntities(text), to: &output) }
        }
        return output.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.reversed().drop(while: { $0 == " " }).reversed() }.map(String.init)
            .joined(separator: "\n").trimmingBlankLines
    }

    private static func tagName(_ tag: String) -> String {
        let trimmed = tag.drop(while: { $0 == " " })
        let closing = trimmed.hasPrefix("/")
        let name = trimmed.dropFirst(closing ? 1 : 0).prefix(while: { $0.isLetter || $0.isNumber })
        return (closing ? "/" : "") + name.lowercased()
    }

    /// The value of `name` in a start tag's text, entities decoded.
    static func attribute(_ name: String, in tag: String) -> String? {
        for quote in ["\"", "'"] {
            let pattern = " \(name)=\(quote)"
            guard let start = tag.indices.first(where: { tag[$0...].prefix(pattern.count).lowercased() == pattern }) else { continue }
            let valueStart = tag.index(start, offsetBy: pattern.count)
            guard let valueEnd = tag[valueStart...].firstIndex(of: Character(quote)) else { return nil }
            return decodeEntities(String(tag[valueStart..<valueEnd]))
        }
        return nil
    }

    private static func breakLine(_ output: inout String) {
        while output.hasSuffix(" ") { output.removeLast() }
        if !output.isEmpty && !output.hasSuffix("\n") { output += "\n" }
    }

    private static func breakParagraph(_ output: inout String) {
        breakLine(&output)
        if !output.isEmpty && !output.hasSuffix("\n\n") { output += "\n" }
    }

    /// Runs of white space in HTML text are one space, none at a line's start.
    private static func appendCollapsed(_ text: String, to output: inout String) {
        for character in text {
            if character.isWhitespace && character != "\u{00A0}" {
                if !output.isEmpty && !output.hasSuffix(" ") && !output.hasSuffix("\n") { output += " " }
            } else {
                output.append(character == "\u{00A0}" ? " " : character)
            }
        }
    }

    static let entities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}", "copy": "©", "reg": "®",
        "mdash": "—", "ndash": "–", "hellip": "…", "rsquo": "’", "lsquo": "‘", "rdquo": "”", "ldquo": "“", "middot": "·",
        "bull": "•", "euro": "€", "trade": "™",
    ]

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var output = ""
        var rest = text[...]
        while let amp = rest.firstIndex(of: "&") {
            output += rest[..<amp]
            rest = rest[amp...]
            guard let semicolon = rest.prefix(12).firstIndex(of: ";") else {
                output += "&"
                rest = rest.dropFirst()
                continue
            }
            let name = rest[rest.index(after: rest.startIndex)..<semicolon]
            var decoded: String?
            if name.hasPrefix("#x") || name.hasPrefix("#X") {
                decoded = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else if name.hasPrefix("#") {
                decoded = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else {
                decoded = entities[String(name)]
            }
            if let decoded {
                output += decoded
                rest = rest[rest.index(after: semicolon)...]
            } else {
                output += "&"
                rest = rest.dropFirst()
            }
        }
        return output + rest
    }
}

extension String {
    /// Without blank lines at either end, and with at most one blank line in a row.
    fileprivate var trimmingBlankLines: String {
        var lines: [Substring] = []
        for line in split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty && (lines.isEmpty || lines.last?.isEmpty == true) { continue }
            lines.append(line)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}
