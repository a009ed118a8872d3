/// Runs a `JSONPathTemplate` over a JSON value as kubectl does (missing keys allowed).
extension JSONPathTemplate {
    /// The template's output: text as is; each path's results joined by spaces, strings
    /// raw, numbers and booleans as written, objects and arrays as compact JSON.
    public func execute(_ data: JSON) throws(JSONPathError) -> String {
        var out = ""
        try Self.run(nodes, on: data, into: &out)
        return out
    }

    /// The values each path yields, for custom columns and `--sort-by`.
    public func results(_ data: JSON) throws(JSONPathError) -> [[JSON]] {
        var all: [[JSON]] = []
        for n in nodes {
            if case .path(let steps) = n { all.append(try Self.evaluate(steps, [data])) }
        }
        return all
    }

    static func run(_ nodes: [Node], on data: JSON, into out: inout String) throws(JSONPathError) {
        for n in nodes {
            switch n {
            case .text(let t): out += t
            case .path(let steps):
                out += try evaluate(steps, [data]).map(Self.text).joined(separator: " ")
            case .range(let steps, let body):
                for v in try evaluate(steps, [data]) { try run(body, on: v, into: &out) }
            }
        }
    }

    /// How one result prints in `-o jsonpath`.
    public static func text(_ v: JSON) -> String {
        switch v {
        case .string(let s): return s
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        case .null: return "<nil>"
        case .array, .object: return JSON.goMarshal(v)
        }
    }

    static func evaluate(_ steps: [Step], _ input: [JSON]) throws(JSONPathError) -> [JSON] {
        var cur = input
        for s in steps { cur = try apply(s, cur) }
        return cur
    }

    static func apply(_ step: Step, _ input: [JSON]) throws(JSONPathError) -> [JSON] {
        var out: [JSON] = []
        switch step {
        case .field(let k):
            for v in input { if let c = v.objectValue?[k] { out.append(c) } }
        case .wildcard:
            for v in input { out += children(v) }
        case .recursive:
            for v in input { descend(v, into: &out) }
        case .slice(let start, let end, let stepBy, let single):
            for v in input {
                guard case .array(let a) = v else { continue }
                out += try slice(a, start: start, end: end, step: stepBy, single: single)
            }
        case .union(let paths):
            for p in paths { out += try evaluate(p, input) }
        case .filter(let f):
            for v in input {
                guard case .array(let a) = v else { throw JSONPathError("\(JSON.goMarshal(v)) is not array or slice and cannot be filtered") }
                for e in a where try matches(f, e) { out.append(e) }
            }
        case .literal(let l):
            switch l {
            case .string(let s): out = [.string(s)]
            case .number(let n): out = [.number(n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n))]
            case .bool(let b): out = [.bool(b)]
            }
        }
        return out
    }

    /// Members in key order (Go's maps have none; sorted is stable), or elements.
    static func children(_ v: JSON) -> [JSON] {
        switch v {
        case .object(let o): return o.entries.sorted { $0.key < $1.key }.map(\.value)
        case .array(let a): return a
        default: return []
        }
    }

    /// client-go's `..`: each non-empty object or array, then what is under it.
    static func descend(_ v: JSON, into out: inout [JSON]) {
        let c = children(v)
        guard !c.isEmpty else { return }
        out.append(v)
        for x in c { descend(x, into: &out) }
    }

    /// Go-style slicing with client-go's bounds errors.
    static func slice(_ a: [JSON], start: Int?, end: Int?, step: Int?, single: Bool) throws(JSONPathError) -> [JSON] {
        let n = a.count
        var s = start ?? 0
        if s < 0 { s += n }
        var e = single ? s + 1 : (end ?? n)
        if !single, let given = end, given < 0 { e = given + n }
        if e == s { return [] }
        if s >= n || s < 0 { throw JSONPathError("array index out of bounds: index \(s), length \(n)") }
        if e > n || e < 0 { throw JSONPathError("array index out of bounds: index \(e - 1), length \(n)") }
        if s > e { throw JSONPathError("starting index \(s) is greater than ending index \(e)") }
        let by = max(step ?? 1, 1)
        return stride(from: s, to: e, by: by).map { a[$0] }
    }

    static func matches(_ f: Filter, _ element: JSON) throws(JSONPathError) -> Bool {
        let lefts = try evaluate(f.left, [element])
        guard let op = f.op else { return !lefts.isEmpty }
        let rights = try evaluate(f.right, [element])
        for l in lefts {
            for r in rights where compare(l, op, r) { return true }
        }
        return false
    }

    static func compare(_ l: JSON, _ op: String, _ r: JSON) -> Bool {
        if let a = l.doubleValue, let b = r.doubleValue { return ordered(a, op, b) }
        if let a = l.stringValue, let b = r.stringValue { return ordered(a, op, b) }
        switch op {
        case "==": return l == r
        case "!=": return l != r
        default: return false
        }
    }

    static func ordered<T: Comparable>(_ a: T, _ op: String, _ b: T) -> Bool {
        switch op {
        case "==": return a == b
        case "!=": return a != b
        case "<": return a < b
        case ">": return a > b
        case "<=": return a <= b
        default: return a >= b
        }
    }
}

extension JSON {
    /// The same value with every object's keys in sorted order.
    public var sortingKeys: JSON {
        switch self {
        case .object(let o): return .object(JSONObject(o.entries.sorted { $0.key < $1.key }.map { ($0.key, $0.value.sortingKeys) }))
        case .array(let a): return .array(a.map(\.sortingKeys))
        default: return self
        }
    }

    /// Compact JSON as Go's `json.Marshal` writes a decoded object: keys sorted, and
    /// `<`, `>`, `&` escaped.
    public static func goMarshal(_ v: JSON) -> String {
        v.sortingKeys.compactString
            .replacingAll("<", with: "\\u003c").replacingAll(">", with: "\\u003e").replacingAll("&", with: "\\u0026")
    }
}

extension String {
    func replacingAll(_ a: Character, with b: String) -> String {
        guard contains(a) else { return self }
        var out = ""
        for c in self { if c == a { out += b } else { out.append(c) } }
        return out
    }
}
