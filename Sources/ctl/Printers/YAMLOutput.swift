import Yams

/// JSON as YAML the way kubectl prints it (go-yaml v2, a libyaml port, as Yams is): keys
/// sorted, two-space indent, list items at their parent's indentation, lines folded near 80
/// columns, multi-line strings as literal blocks. Strings that Kubernetes' YAML reader would
/// take for something else (`"80"`, `"yes"`, `"~"`, `"0x1F"`, timestamps) are double-quoted,
/// as kubectl does; libyaml quotes whatever plain style cannot carry (`a: b`, leading spaces).
enum YAMLOutput {
    static func render(_ value: JSON) -> String {
        do {
            let text = try Yams.serialize(node: node(value), indent: 2, allowUnicode: true)
            return text.hasSuffix("\n") ? text : text + "\n"
        } catch {
            // libyaml refuses only what JSON cannot hold (bad UTF-8); JSON is YAML too.
            return value.pretty() + "\n"
        }
    }

    static func node(_ value: JSON) -> Yams.Node {
        switch value {
        case .null: return .scalar(.init("null", Tag(.null), .plain))
        case .bool(let b): return .scalar(.init(b ? "true" : "false", Tag(.bool), .plain))
        case .number(let n): return .scalar(.init(n, Tag(.int), .plain))
        case .string(let s): return .scalar(.init(s, Tag(.str), style(of: s)))
        case .array(let a): return .sequence(.init(a.map(node), Tag(.seq), .block))
        case .object(let o):
            let pairs = o.entries.sorted { $0.key < $1.key }.map { (Yams.Node.scalar(.init($0.key, Tag(.str), style(of: $0.key))), node($0.value)) }
            return .mapping(.init(pairs, Tag(.map), .block))
        }
    }

    static func style(of s: String) -> Yams.Node.Scalar.Style {
        if s.contains("\n") { return .literal }
        return readsAsString(s) ? .plain : .doubleQuoted
    }

    /// True if `s` written plain reads back as the string `s` in Kubernetes' YAML reader and
    /// in YAML 1.1 readers that also know timestamps and base-60 numbers.
    static func readsAsString(_ s: String) -> Bool {
        if YAMLScalar.resolve(s) != .string { return false }
        if looksLikeTimestamp(s) || looksLikeBase60(s) { return false }
        return true
    }

    /// `2026-11-30`, `2026-11-30T12:00:00Z` and the like; over-matching only adds quotes.
    static func looksLikeTimestamp(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count >= 8, u.prefix(4).allSatisfy({ $0 >= 48 && $0 <= 57 }), u[4] == UInt8(ascii: "-") else { return false }
        return s.allSatisfy { $0.isASCII && ($0.isNumber || "-:tTzZ.+ ".contains($0)) }
    }

    /// `1:30`, `-1:20:45.5`: YAML 1.1 sexagesimal numbers.
    static func looksLikeBase60(_ s: String) -> Bool {
        guard s.contains(":") else { return false }
        return s.allSatisfy { $0.isASCII && ($0.isNumber || "+-:._".contains($0)) } && s.contains(where: \.isNumber)
    }
}
