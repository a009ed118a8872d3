import Yams

/// YAML (block or flow style, several documents) or JSON text to JSON values, with YAML's
/// scalars typed as Kubernetes' YAML reader types them: `true`/`yes` booleans, integers,
/// floats, `null`/`~`; quoted scalars and timestamps stay strings.
enum YAMLInput {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let resolver = Resolver.basic.appending(.bool).appending(.int).appending(.float).appending(.null)

    /// Every non-empty document in `text`, in order. JSON may be one value or a stream of
    /// them (`{...}{...}`); anything else is read as YAML (of which JSON is a subset).
    static func documents(_ text: String) throws -> [JSON] {
        let trimmed = text.drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        if trimmed.first == "{" || trimmed.first == "[", let values = try? JSON.parseStream(String(trimmed)) {
            return values
        }
        var out: [JSON] = []
        do {
            for node in try Yams.compose_all(yaml: text, resolver) {
                let j = try json(node)
                if !j.isNull { out.append(j) }
            }
        } catch let e as Failure {
            throw e
        } catch {
            throw Failure(description: "\(error)")
        }
        return out
    }

    static func json(_ node: Yams.Node) throws -> JSON {
        switch node {
        case .scalar(let s):
            let text = s.string
            if s.style != .plain { return .string(text) }
            switch s.tag.rawValue {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return .bool(["true", "yes", "on", "y"].contains(text.lowercased()))
            case Tag.Name.int.rawValue:
                if let i = Int64(text) { return .int64(i) }
                if let i = parseRadix(text) { return .int64(i) }
                return .string(text)
            case Tag.Name.float.rawValue:
                guard let d = Double(text.replacingOccurrences(of: "_", with: "")), d.isFinite else {
                    throw Failure(description: "the number \(text) cannot be represented in JSON")
                }
                // Keep the literal where JSON can: "0.5" stays "0.5".
                if (try? JSON.parse(text)) != nil { return .number(text) }
                return .number(String(d))
            default: return .string(text)
            }
        case .mapping(let m):
            var o = JSONObject()
            for (k, v) in m {
                guard case .scalar(let ks) = k else { throw Failure(description: "mapping keys must be scalars") }
                o[ks.string] = try json(v)
            }
            return .object(o)
        case .sequence(let seq):
            return .array(try seq.map(json))
        case .alias:
            throw Failure(description: "YAML aliases are not supported")
        }
    }

    static func parseRadix(_ t: String) -> Int64? {
        var s = Substring(t.replacingOccurrences(of: "_", with: ""))
        var sign: Int64 = 1
        if s.hasPrefix("-") { sign = -1; s = s.dropFirst() } else if s.hasPrefix("+") { s = s.dropFirst() }
        if s.hasPrefix("0x") { return Int64(s.dropFirst(2), radix: 16).map { $0 * sign } }
        if s.hasPrefix("0o") { return Int64(s.dropFirst(2), radix: 8).map { $0 * sign } }
        if s.hasPrefix("0") && s.count > 1 { return Int64(s.dropFirst(), radix: 8).map { $0 * sign } }
        return nil
    }
}
