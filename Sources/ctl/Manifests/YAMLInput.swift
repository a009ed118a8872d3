import Yams

/// YAML (block or flow style, several documents) or JSON text to JSON values, typed as
/// Kubernetes' YAML reader types them (see `YAMLScalar`). Yams only parses: every scalar is
/// composed untyped and resolved here, so Yams' own (YAML 1.2-ish) rules never apply.
enum YAMLInput {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Every non-empty document in `text`, in order. JSON may be one value or a stream of
    /// them (`{...}{...}`); anything else is read as YAML (of which JSON is a subset).
    /// Documents that are empty or only comments are skipped, as kubectl skips them.
    /// With `typed: false` every non-null scalar stays text (`token: 0x1F` is "0x1F").
    static func documents(_ text: String, typed: Bool = true) throws -> [JSON] {
        let trimmed = text.drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        if trimmed.first == "{" || trimmed.first == "[", let values = try? JSON.parseStream(String(trimmed)) {
            return values
        }
        var out: [JSON] = []
        do {
            // Yams' document sequence ends quietly on a syntax error and keeps the error aside.
            var nodes = try Yams.compose_all(yaml: text, resolver)
            while let node = nodes.next() {
                let j = try json(node, typed: typed)
                if !j.isNull { out.append(j) }
            }
            if let e = nodes.error { throw e }
        } catch let e as Failure {
            throw e
        } catch {
            throw Failure(description: "\(error)")
        }
        return out
    }

    static let strTag = "tag:yaml.org,2002:str"
    /// Yams resolves an untagged node's tag in place when it hashes it (it does, for mapping
    /// keys, to find duplicates); this resolver makes that tag say "plain, untagged" rather
    /// than !!str, so keys are typed like values.
    static let untaggedTag = "!skiff-untagged"
    // A constant pattern: `try!` cannot fail.
    static let resolver = try! Resolver.basic.appending(Tag.Name(rawValue: untaggedTag), "^")
    static let typedTags: [String: String] = [
        "tag:yaml.org,2002:int": "int", "tag:yaml.org,2002:float": "float",
        "tag:yaml.org,2002:bool": "bool", "tag:yaml.org,2002:null": "null",
    ]

    static func json(_ node: Yams.Node, typed: Bool = true) throws -> JSON {
        switch node {
        case .scalar(let s):
            return try scalar(s, typed: typed)
        case .mapping(let m):
            var o = JSONObject()
            var merged: [(String, JSON)] = []
            for (k, v) in m {
                guard case .scalar(let ks) = k else { throw Failure(description: "mapping keys must be scalars") }
                if typed && ks.style == .plain && ks.string == "<<" && isUntagged(ks) {
                    merged += try mergeSources(v)
                    continue
                }
                o[try key(ks, typed: typed)] = try json(v, typed: typed)
            }
            // YAML 1.1 merge keys (`<<: *base`): keys written in the mapping win.
            for (k, v) in merged where o[k] == nil { o[k] = v }
            return .object(o)
        case .sequence(let seq):
            return .array(try seq.map { try json($0, typed: typed) })
        case .alias:
            throw Failure(description: "YAML aliases are not supported")
        }
    }

    /// The entries `<<` merges in: one mapping or a list of them, earlier ones first.
    static func mergeSources(_ v: Yams.Node) throws -> [(String, JSON)] {
        let sources: [Yams.Node]
        switch v {
        case .mapping: sources = [v]
        case .sequence(let seq): sources = Array(seq)
        default: throw Failure(description: "map merge requires map or sequence of maps as the value")
        }
        var out: [(String, JSON)] = []
        for s in sources {
            guard case .object(let o) = try json(s) else { throw Failure(description: "map merge requires map or sequence of maps as the value") }
            for (k, v) in o where !out.contains(where: { $0.0 == k }) { out.append((k, v)) }
        }
        return out
    }

    static func isUntagged(_ s: Yams.Node.Scalar) -> Bool {
        let tag = s.tag.description
        return tag.isEmpty || tag == untaggedTag
    }

    static func scalar(_ s: Yams.Node.Scalar, typed: Bool) throws -> JSON {
        let text = s.string
        let tag = isUntagged(s) ? "" : s.tag.description
        // Quoted and block scalars arrive tagged !!str; "!" is YAML's "not resolved" tag.
        if tag == strTag || tag == "!" { return .string(text) }
        if tag.isEmpty && s.style != .plain { return .string(text) }
        if !typed { return YAMLScalar.resolve(text) == .null ? .null : .string(text) }
        if !tag.isEmpty {
            // Explicit !!int, !!float, !!bool, !!null must fit; other tags read as text.
            guard let want = typedTags[tag] else { return .string(text) }
            let value = YAMLScalar.resolve(text)
            switch (want, value) {
            case ("int", .int), ("float", .float), ("float", .int), ("bool", .bool), ("null", .null): break
            default: throw Failure(description: "cannot decode `\(text)` as a !!\(want)")
            }
            if want == "float", case .int(let i) = value { return .number(i) }
            return try json(value, text: text)
        }
        return try json(YAMLScalar.resolve(text), text: text)
    }

    static func json(_ value: YAMLScalar.Value, text: String) throws -> JSON {
        switch value {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .number(i)
        case .float(let d):
            guard d.isFinite else { throw Failure(description: "the number \(text) cannot be represented in JSON") }
            return .number(YAMLScalar.goJSON(d))
        case .string: return .string(text)
        }
    }

    /// A mapping key as sigs.k8s.io/yaml makes it a JSON key: `1: a` is "1", `yes: a` is
    /// "true"; a null key is an error. Float keys keep their text.
    static func key(_ s: Yams.Node.Scalar, typed: Bool) throws -> String {
        guard typed else { return s.string }
        switch try scalar(s, typed: true) {
        case .string(let k): return k
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return YAMLScalar.resolve(s.string) == .int(n) ? n : s.string
        case .null: throw Failure(description: "unsupported map key: null (\"\(s.string)\")")
        default: return s.string
        }
    }
}
