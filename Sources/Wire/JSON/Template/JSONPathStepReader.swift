/// Reads the steps of one path: fields, brackets, filters, literals.
struct StepReader {
    typealias Step = JSONPathTemplate.Step
    let chars: [Character]
    var i = 0

    mutating func read() throws(JSONPathError) -> [Step] {
        var out: [Step] = []
        while i < chars.count {
            let c = chars[i]
            switch c {
            case " ", "@", "$": i += 1
            case ".":
                i += 1
                if i < chars.count && chars[i] == "." { out.append(.recursive); continue }
                let name = field()
                if name == "*" { out.append(.wildcard) } else if !name.isEmpty { out.append(.field(name)) }
            case "[": out.append(try bracket())
            case "\"", "'":
                let start = i
                i += 1
                while i < chars.count && chars[i] != c { i += chars[i] == "\\" ? 2 : 1 }
                i += 1
                let s = String(chars[start..<min(i, chars.count)])
                out.append(.literal(.string(try JSONPathParser.unquote(s))))
            default:
                let start = i
                while i < chars.count && !Self.isTerminator(chars[i]) { i += 1 }
                let word = String(chars[start..<i])
                if word == "true" || word == "false" {
                    out.append(.literal(.bool(word == "true")))
                } else if let n = Double(word), c == "-" || c == "+" || c.isNumber {
                    out.append(.literal(.number(n)))
                } else {
                    throw JSONPathError("unrecognized identifier \(word)")
                }
            }
        }
        return out
    }

    static func isTerminator(_ c: Character) -> Bool { " .,[]$@{}".contains(c) }

    /// A field name up to the next terminator; `\.` keeps a dot in the name.
    mutating func field() -> String {
        var out = ""
        while i < chars.count && !Self.isTerminator(chars[i]) {
            if chars[i] == "\\", i + 1 < chars.count { out.append(chars[i + 1]); i += 2; continue }
            out.append(chars[i])
            i += 1
        }
        return out
    }

    /// `[...]` up to its `]` (quotes and filter parentheses may hold one).
    mutating func bracket() throws(JSONPathError) -> Step {
        i += 1
        var text = ""
        var quote: Character? = nil
        var depth = 0
        while true {
            guard i < chars.count else { throw JSONPathError("unclosed array expect ]") }
            let c = chars[i]
            i += 1
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "(" {
                depth += 1
            } else if c == ")" {
                depth -= 1
            } else if c == "]" && depth == 0 {
                break
            }
            text.append(c)
        }
        let t = text.trimmingSpaces
        if t.hasPrefix("?(") && t.hasSuffix(")") { return .filter(try Self.filter(String(t.dropFirst(2).dropLast()))) }
        if t == "*" { return .wildcard }
        let parts = Self.splitOutsideQuotes(t, on: ",")
        if parts.count > 1 {
            return .union(try parts.map { p throws(JSONPathError) in try JSONPathParser.steps("[" + p.trimmingSpaces + "]") })
        }
        if let q = t.first, q == "'" || q == "\"", t.count >= 2, t.last == q { return .field(try JSONPathParser.unquote(t)) }
        return try Self.slice(t)
    }

    static func slice(_ t: String) throws(JSONPathError) -> Step {
        let parts = t.split(separator: ":", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
        guard (1...3).contains(parts.count) else { throw JSONPathError("invalid array index \(t)") }
        var nums: [Int?] = []
        for p in parts {
            if p.isEmpty { nums.append(nil); continue }
            guard let n = Int(p) else { throw JSONPathError("invalid array index \(t)") }
            nums.append(n)
        }
        if parts.count == 1 {
            guard let n = nums[0] else { throw JSONPathError("invalid array index \(t)") }
            return .slice(start: n, end: nil, step: nil, single: true)
        }
        return .slice(start: nums[0], end: nums[1], step: parts.count == 3 ? nums[2] : nil, single: false)
    }

    /// `@.a.b=="x"` splits at the first run of `!<>=` outside quotes, as client-go does.
    static func filter(_ t: String) throws(JSONPathError) -> JSONPathTemplate.Filter {
        let cs = Array(t)
        var quote: Character? = nil
        var k = 0
        while k < cs.count {
            let c = cs[k]
            if let q = quote { if c == q { quote = nil } } else if c == "\"" || c == "'" { quote = c } else if "!<>=".contains(c) { break }
            k += 1
        }
        let left = try JSONPathParser.steps(String(cs[0..<k]))
        guard k < cs.count else { return .init(left: left, op: nil, right: []) }
        var e = k
        while e < cs.count && "!<>=".contains(cs[e]) { e += 1 }
        let op = String(cs[k..<e])
        guard ["==", "!=", "<", ">", "<=", ">="].contains(op) else { throw JSONPathError("unrecognized filter operator \(op)") }
        return .init(left: left, op: op, right: try JSONPathParser.steps(String(cs[e...])))
    }

    static func splitOutsideQuotes(_ t: String, on sep: Character) -> [String] {
        var parts: [String] = [""]
        var quote: Character? = nil
        var depth = 0
        for c in t {
            if let q = quote { if c == q { quote = nil } } else if c == "\"" || c == "'" { quote = c } else if c == "(" { depth += 1 } else if c == ")" { depth -= 1 } else if c == sep && depth == 0 {
                parts.append("")
                continue
            }
            parts[parts.count - 1].append(c)
        }
        return parts
    }
}
