/// Reads a JSONPath template into `JSONPathTemplate.Node`s (see there for the syntax).
struct JSONPathParser {
    typealias Node = JSONPathTemplate.Node
    typealias Step = JSONPathTemplate.Step

    private let chars: [Character]
    private var i = 0

    init(_ source: String) { chars = Array(source) }

    /// Text and actions; `range` opens a frame that `end` closes.
    mutating func parseTemplate() throws(JSONPathError) -> [Node] {
        var frames: [(steps: [Step], nodes: [Node])] = [([], [])]
        var text = ""
        while i < chars.count {
            guard chars[i] == "{" else { text.append(chars[i]); i += 1; continue }
            if !text.isEmpty { frames[frames.count - 1].nodes.append(.text(text)); text = "" }
            let action = try actionText()
            let words = action.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            if words.first == "range" {
                frames.append((try Self.steps(words.count > 1 ? String(words[1]) : ""), []))
            } else if words.first == "end" && words.count == 1 {
                guard frames.count > 1 else { throw JSONPathError("not in range, nothing to end") }
                let f = frames.removeLast()
                frames[frames.count - 1].nodes.append(.range(f.steps, body: f.nodes))
            } else {
                frames[frames.count - 1].nodes.append(contentsOf: try Self.actionNodes(action))
            }
        }
        if !text.isEmpty { frames[frames.count - 1].nodes.append(.text(text)) }
        guard frames.count == 1 else { throw JSONPathError("unclosed range") }
        return frames[0].nodes
    }

    /// The text between `{` and its `}`; quoted strings may hold braces.
    private mutating func actionText() throws(JSONPathError) -> String {
        i += 1
        var out = ""
        var quote: Character? = nil
        while i < chars.count {
            let c = chars[i]
            i += 1
            if let q = quote {
                out.append(c)
                if c == "\\", i < chars.count { out.append(chars[i]); i += 1 } else if c == q { quote = nil }
                continue
            }
            if c == "}" { return out }
            if c == "\"" || c == "'" { quote = c }
            out.append(c)
        }
        throw JSONPathError("unclosed action")
    }

    /// An action holding quoted text (`{"\n"}`) prints the text; anything else is a path.
    static func actionNodes(_ action: String) throws(JSONPathError) -> [Node] {
        let trimmed = action.trimmingSpaces
        if let q = trimmed.first, q == "\"" || q == "'", trimmed.count >= 2, trimmed.last == q {
            return [.text(try unquote(trimmed))]
        }
        return [.path(try steps(action))]
    }

    /// The steps of a path such as `.items[*].metadata.name`.
    static func steps(_ text: String) throws(JSONPathError) -> [Step] {
        var r = StepReader(chars: Array(text))
        return try r.read()
    }

    /// `"a\tb"` or `'a'` with Go's escapes.
    static func unquote(_ s: String) throws(JSONPathError) -> String {
        let inner = Array(s.dropFirst().dropLast())
        var out = ""
        var k = 0
        while k < inner.count {
            let c = inner[k]
            k += 1
            guard c == "\\", k < inner.count else { out.append(c); continue }
            let e = inner[k]
            k += 1
            switch e {
            case "n": out += "\n"
            case "t": out += "\t"
            case "r": out += "\r"
            case "\\", "\"", "'": out.append(e)
            default: throw JSONPathError("invalid syntax: \(s)")
            }
        }
        return out
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
