/// A label selector in Kubernetes' string form: `app=web,tier!=db,env in (a,b),
/// env notin (c),team,!legacy`. Requirements are ANDed.
public struct LabelSelector: Sendable, Equatable, CustomStringConvertible {
    public enum Operator: Sendable, Equatable {
        case equals, notEquals, `in`, notIn, exists, doesNotExist
    }

    public struct Requirement: Sendable, Equatable {
        public var key: String
        public var op: Operator
        public var values: [String]

        public func matches(_ labels: [String: String]) -> Bool {
            let v = labels[key]
            switch op {
            case .equals, .in: return v.map { values.contains($0) } ?? false
            case .notEquals, .notIn: return v.map { !values.contains($0) } ?? true
            case .exists: return v != nil
            case .doesNotExist: return v == nil
            }
        }
    }

    public var requirements: [Requirement]

    public init(requirements: [Requirement] = []) { self.requirements = requirements }

    /// Everything matches the empty selector.
    public var isEmpty: Bool { requirements.isEmpty }

    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { $0.matches(labels) }
    }

    /// Matches against a `metadata.labels` JSON object.
    public func matches(labelsJSON: JSON) -> Bool {
        if requirements.isEmpty { return true }
        var labels: [String: String] = [:]
        if case .object(let o) = labelsJSON {
            for (k, v) in o { if let s = v.stringValue { labels[k] = s } }
        }
        return matches(labels)
    }

    public var description: String {
        requirements.map { r in
            switch r.op {
            case .equals: return "\(r.key)=\(r.values.first ?? "")"
            case .notEquals: return "\(r.key)!=\(r.values.first ?? "")"
            case .in: return "\(r.key) in (\(r.values.joined(separator: ",")))"
            case .notIn: return "\(r.key) notin (\(r.values.joined(separator: ",")))"
            case .exists: return r.key
            case .doesNotExist: return "!\(r.key)"
            }
        }.joined(separator: ",")
    }

    /// Builds the selector a workload's `{matchLabels, matchExpressions}` describes.
    public init(_ spec: LabelSelectorSpec) throws(SelectorError) {
        var reqs: [Requirement] = []
        for (k, v) in (spec.matchLabels ?? [:]).sorted(by: { $0.key < $1.key }) {
            reqs.append(Requirement(key: k, op: .equals, values: [v]))
        }
        for e in spec.matchExpressions ?? [] {
            let op: Operator
            switch e.operator {
            case "In": op = .in
            case "NotIn": op = .notIn
            case "Exists": op = .exists
            case "DoesNotExist": op = .doesNotExist
            default: throw SelectorError(message: "\"\(e.operator)\" is not a valid label selector operator")
            }
            if (op == .in || op == .notIn) && (e.values ?? []).isEmpty {
                throw SelectorError(message: "for 'in', 'notin' operators, values set can't be empty")
            }
            reqs.append(Requirement(key: e.key, op: op, values: e.values ?? []))
        }
        requirements = reqs
    }

    /// Parses the string form; an error names what is wrong.
    public static func parse(_ text: String) throws(SelectorError) -> LabelSelector {
        var p = SelectorScanner(text)
        var reqs: [Requirement] = []
        p.skipSpace()
        if p.atEnd { return LabelSelector() }
        while true {
            reqs.append(try p.requirement())
            p.skipSpace()
            if p.atEnd { break }
            guard p.eat(",") else { throw p.fail("expected ','") }
        }
        return LabelSelector(requirements: reqs)
    }
}

public struct SelectorError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

struct SelectorScanner {
    let chars: [Character]
    var i = 0
    let text: String

    init(_ text: String) {
        self.text = text
        chars = Array(text)
    }

    var atEnd: Bool { i >= chars.count }

    func fail(_ why: String) -> SelectorError {
        SelectorError(message: "unable to parse requirement: \(why) at position \(i) in \"\(text)\"")
    }

    mutating func skipSpace() { while i < chars.count, chars[i] == " " { i += 1 } }

    mutating func eat(_ s: String) -> Bool {
        let cs = Array(s)
        guard i + cs.count <= chars.count, Array(chars[i..<(i + cs.count)]) == cs else { return false }
        i += cs.count
        return true
    }

    static func isNameChar(_ c: Character) -> Bool {
        c.isLetter || c.isNumber || c == "-" || c == "_" || c == "." || c == "/"
    }

    mutating func word() -> String {
        let s = i
        while i < chars.count, Self.isNameChar(chars[i]) { i += 1 }
        return String(chars[s..<i])
    }

    mutating func requirement() throws(SelectorError) -> LabelSelector.Requirement {
        skipSpace()
        if eat("!") {
            skipSpace()
            let k = word()
            guard !k.isEmpty else { throw fail("expected a label key after '!'") }
            try validateKey(k)
            return .init(key: k, op: .doesNotExist, values: [])
        }
        let key = word()
        guard !key.isEmpty else { throw fail("expected a label key") }
        try validateKey(key)
        skipSpace()
        if atEnd || chars[i] == "," { return .init(key: key, op: .exists, values: []) }
        if eat("!=") { return .init(key: key, op: .notEquals, values: [try value()]) }
        if eat("==") || eat("=") { return .init(key: key, op: .equals, values: [try value()]) }
        if eat("notin") { return .init(key: key, op: .notIn, values: try set()) }
        if eat("in") { return .init(key: key, op: .in, values: try set()) }
        throw fail("expected one of '=', '==', '!=', 'in', 'notin'")
    }

    mutating func value() throws(SelectorError) -> String {
        skipSpace()
        let v = word()
        try validateValue(v)
        return v
    }

    mutating func set() throws(SelectorError) -> [String] {
        skipSpace()
        guard eat("(") else { throw fail("expected '('") }
        skipSpace()
        // As Kubernetes: `in ()` and `notin ()` are refused (`(a,)` means a or the empty value).
        if !atEnd && chars[i] == ")" { throw fail("for 'in', 'notin' operators, values set can't be empty") }
        var vals: [String] = []
        while true {
            skipSpace()
            let v = word()
            try validateValue(v)
            vals.append(v)
            skipSpace()
            if eat(")") { break }
            guard eat(",") else { throw fail("expected ',' or ')'") }
        }
        return vals
    }

    func validateKey(_ k: String) throws(SelectorError) {
        if let problem = LabelSyntax.keyProblem(k) { throw SelectorError(message: "invalid label key \"\(k)\": \(problem)") }
    }

    func validateValue(_ v: String) throws(SelectorError) {
        if let problem = LabelSyntax.valueProblem(v) { throw SelectorError(message: "invalid label value: \"\(v)\": \(problem)") }
    }
}
