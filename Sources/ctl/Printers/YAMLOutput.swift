/// JSON as YAML the way kubectl prints it: keys sorted, two-space indent, list items at
/// their parent's indentation, strings quoted only where YAML would misread them.
enum YAMLOutput {
    static func render(_ value: JSON) -> String {
        var out = ""
        write(value, indent: 0, into: &out, inList: false)
        if !out.hasSuffix("\n") { out += "\n" }
        return out
    }

    static func write(_ value: JSON, indent: Int, into out: inout String, inList: Bool) {
        let pad = String(repeating: " ", count: indent)
        switch value {
        case .object(let o) where !o.isEmpty:
            var first = true
            for (k, v) in o.entries.sorted(by: { $0.key < $1.key }) {
                if !(first && inList) { out += pad }
                first = false
                out += scalar(k) + ":"
                writeChild(v, indent: indent, into: &out)
            }
        case .array(let a) where !a.isEmpty:
            for (i, v) in a.enumerated() {
                if !(i == 0 && inList) { out += pad }
                out += "- "
                switch v {
                case .object(let o) where !o.isEmpty:
                    write(v, indent: indent + 2, into: &out, inList: true)
                case .array(let inner) where !inner.isEmpty:
                    write(v, indent: indent + 2, into: &out, inList: true)
                default:
                    out += inline(v, indent: indent + 2) + "\n"
                }
            }
        default:
            out += inline(value, indent: indent) + "\n"
        }
    }

    static func writeChild(_ v: JSON, indent: Int, into out: inout String) {
        switch v {
        case .object(let o) where !o.isEmpty:
            out += "\n"
            write(v, indent: indent + 2, into: &out, inList: false)
        case .array(let a) where !a.isEmpty:
            out += "\n"
            write(v, indent: indent, into: &out, inList: false)
        default:
            out += " " + inline(v, indent: indent + 2) + "\n"
        }
    }

    static func inline(_ v: JSON, indent: Int) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n
        case .string(let s):
            if s.contains("\n") { return block(s, indent: indent) }
            return scalar(s)
        case .array: return "[]"
        case .object: return "{}"
        }
    }

    /// A literal block (`|`, `|-` without a final newline) for multi-line strings.
    static func block(_ s: String, indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        var body = s
        let chomp = body.hasSuffix("\n") ? "" : "-"
        if body.hasSuffix("\n") { body.removeLast() }
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : pad + $0 }
        return "|" + chomp + "\n" + lines.joined(separator: "\n")
    }

    static let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"]

    /// The string as a plain scalar if YAML would read it back as the same string, else quoted.
    static func scalar(_ s: String) -> String {
        if needsQuotes(s) {
            if s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                return JSON.string(s).compactString
            }
            return "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
        }
        return s
    }

    static func needsQuotes(_ s: String) -> Bool {
        if s.isEmpty || reserved.contains(s.lowercased()) { return true }
        if Double(s) != nil || Int(s) != nil || YAMLInput.parseRadix(s) != nil { return true }
        if [".inf", "-.inf", "+.inf", ".nan"].contains(s.lowercased()) { return true }
        let first = s.first!
        if "-?:,[]{}#&*!|>'\"%@`".contains(first) && !(first == "-" && s.count > 1 && s.dropFirst().first != " ") { return true }
        if first == " " || s.last == " " { return true }
        if s.contains(": ") || s.contains(" #") || s.hasSuffix(":") || s.contains("\t") { return true }
        if s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return true }
        // Timestamps would come back as dates in some readers.
        if s.count >= 10, s.prefix(4).allSatisfy(\.isNumber), s.dropFirst(4).first == "-" { return s.allSatisfy { $0.isNumber || "-:TZ.+ ".contains($0) } }
        return false
    }
}
