/// What `wait --for=...` waits for.
enum WaitCondition: Sendable {
    case delete
    /// `.status.conditions[type=X].status` equals `value` (case-insensitive, as kubectl).
    case condition(type: String, value: String)
    /// The value at `path` equals `value`, or with nil merely exists.
    case jsonPath(path: [PathStep], value: String?)

    enum PathStep: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    init(_ spec: String) throws {
        if spec == "delete" {
            self = .delete
        } else if spec.hasPrefix("condition=") {
            let rest = spec.dropFirst("condition=".count)
            let parts = rest.split(separator: "=", maxSplits: 1).map(String.init)
            guard let t = parts.first, !t.isEmpty else { throw CtlError("condition name is required") }
            self = .condition(type: t, value: parts.count > 1 ? parts[1] : "true")
        } else if spec.hasPrefix("jsonpath=") {
            let rest = String(spec.dropFirst("jsonpath=".count))
            guard let close = rest.firstIndex(of: "}"), rest.hasPrefix("{") else {
                throw CtlError("jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or --for=jsonpath='{.status.readyReplicas}'")
            }
            let expr = String(rest[rest.index(after: rest.startIndex)..<close])
            let tail = rest[rest.index(after: close)...]
            var value: String? = nil
            if !tail.isEmpty {
                guard tail.hasPrefix("=") else { throw CtlError("jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3") }
                value = String(tail.dropFirst())
            }
            self = .jsonPath(path: try Self.parsePath(expr), value: value)
        } else {
            throw CtlError("unrecognized condition: \"\(spec)\"")
        }
    }

    /// `.a.b[0].c`: dotted keys and list indexes.
    static func parsePath(_ expr: String) throws -> [PathStep] {
        guard expr.hasPrefix(".") else { throw CtlError("unrecognized identifier \(expr)") }
        var steps: [PathStep] = []
        for part in expr.dropFirst().split(separator: ".", omittingEmptySubsequences: false) {
            var p = Substring(part)
            let key = p.prefix { $0 != "[" }
            if !key.isEmpty { steps.append(.key(String(key))) }
            p = p.dropFirst(key.count)
            while p.hasPrefix("[") {
                guard let end = p.firstIndex(of: "]"), let i = Int(p[p.index(after: p.startIndex)..<end]) else {
                    throw CtlError("unsupported jsonpath \(expr): only .field and [index] are understood")
                }
                steps.append(.index(i))
                p = p[p.index(after: end)...]
            }
            if key.isEmpty && steps.isEmpty { throw CtlError("invalid jsonpath \(expr)") }
        }
        return steps
    }

    /// Whether `object` (nil: gone) meets the condition.
    func isMet(_ object: JSON?) -> Bool {
        switch self {
        case .delete:
            return object == nil
        case .condition(let type, let value):
            guard let obj = object else { return false }
            return (obj["status"]["conditions"].arrayValue ?? []).contains {
                ($0["type"].stringValue ?? "").lowercased() == type.lowercased() && ($0["status"].stringValue ?? "").lowercased() == value.lowercased()
            }
        case .jsonPath(let path, let value):
            guard let obj = object else { return false }
            var v = obj
            for step in path {
                switch step {
                case .key(let k): guard v.objectValue?[k] != nil else { return false }; v = v[k]
                case .index(let i): guard let a = v.arrayValue, i >= 0, i < a.count else { return false }; v = a[i]
                }
            }
            guard let value else { return true }
            switch v {
            case .string(let s): return s == value
            case .number(let n): return n == value
            case .bool(let b): return (b ? "true" : "false") == value
            default: return false
            }
        }
    }
}
