/// JSON patch (RFC 6902): the `--type json` of `kubectl patch`. A patch is an array of
/// operations (`add`, `remove`, `replace`, `move`, `copy`, `test`) applied in order; if
/// one fails, none applies.
///
/// Pure functions; a malformed patch throws 400 BadRequest, a well-formed one that does
/// not fit the document (missing path, failed `test`) 422 Invalid, as Kubernetes answers.
extension JSON {
    public func applyingJSONPatch(_ patch: JSON) throws(Status) -> JSON {
        guard let ops = patch.arrayValue else { throw .badRequest("a json patch must be a JSON array of operations, got \(patch.typeName)") }
        var doc = self
        for (i, op) in ops.enumerated() {
            guard op.objectValue != nil else { throw .badRequest("json patch operation \(i) must be an object, got \(op.typeName)") }
            guard let name = op["op"].stringValue else { throw .badRequest("json patch operation \(i) has no \"op\"") }
            let path = try JSONPointer(op, member: "path", index: i)
            switch name {
            case "add":
                doc = try doc.adding(try op.patchValue(i), at: path.tokens)
            case "remove":
                doc = try doc.removing(at: path.tokens).document
            case "replace":
                let v = try op.patchValue(i)
                _ = try doc.value(at: path.tokens)
                doc = try doc.adding(v, at: path.tokens, replacing: true)
            case "move":
                let from = try JSONPointer(op, member: "from", index: i)
                if from.tokens != path.tokens && path.tokens.starts(with: from.tokens) {
                    throw Self.unfit("json patch operation \(i): cannot move \(from.text) into one of its own children")
                }
                let (rest, moved) = try doc.removing(at: from.tokens)
                doc = try rest.adding(moved, at: path.tokens)
            case "copy":
                let from = try JSONPointer(op, member: "from", index: i)
                doc = try doc.adding(try doc.value(at: from.tokens), at: path.tokens)
            case "test":
                let expected = try op.patchValue(i)
                guard try doc.value(at: path.tokens).equalsAsJSON(expected) else {
                    throw Self.unfit("json patch operation \(i): test failed: the value at \(path.text) is not \(String(decoding: expected.bytes(), as: UTF8.self))")
                }
            default:
                throw .badRequest("json patch operation \(i): unknown op \"\(Status.clip(name))\"; supported: add, remove, replace, move, copy, test")
            }
        }
        return doc
    }

    /// Worded so that kubectl's way of printing a 422 (`The ` + message) reads as it does
    /// for Kubernetes' own: `The request is invalid: ...`.
    static func unfit(_ message: String) -> Status { Status(code: 422, reason: Status.Reason.invalid, message: "request is invalid: " + message) }

    private func patchValue(_ i: Int) throws(Status) -> JSON {
        guard let v = objectValue?["value"] else { throw .badRequest("json patch operation \(i) has no \"value\"") }
        return v
    }

    /// The value at `tokens`; 422 if there is none.
    func value(at tokens: [String]) throws(Status) -> JSON {
        var cur = self
        for t in tokens {
            switch cur {
            case .object(let o):
                guard let v = o[t] else { throw Self.unfit("json patch: no value at \(JSONPointer.text(tokens)): \"\(t)\" is missing") }
                cur = v
            case .array(let a):
                guard let i = JSONPointer.index(t), i < a.count else { throw Self.unfit("json patch: no value at \(JSONPointer.text(tokens)): index \"\(t)\" is out of range") }
                cur = a[i]
            default:
                throw Self.unfit("json patch: no value at \(JSONPointer.text(tokens)): \"\(t)\" is inside a \(cur.typeName)")
            }
        }
        return cur
    }

    /// RFC 6902 `add`: sets an object member, or inserts into an array (`-` appends);
    /// `replacing` sets the (existing) array item instead. A member keeps its place.
    func adding(_ value: JSON, at tokens: [String], replacing: Bool = false) throws(Status) -> JSON {
        guard let last = tokens.last else { return value }
        let parentPath = Array(tokens.dropLast())
        var parent = try self.value(at: parentPath)
        switch parent {
        case .object(var o):
            o[last] = value
            parent = .object(o)
        case .array(var a):
            let i = last == "-" ? a.count : JSONPointer.index(last) ?? -1
            guard i >= 0 && i < a.count + (replacing ? 0 : 1) else {
                throw Self.unfit("json patch: cannot add at \(JSONPointer.text(tokens)): index \"\(last)\" is out of range")
            }
            if replacing { a[i] = value } else { a.insert(value, at: i) }
            parent = .array(a)
        default:
            throw Self.unfit("json patch: cannot add at \(JSONPointer.text(tokens)): the parent is a \(parent.typeName)")
        }
        return try settingValue(at: parentPath, to: parent)
    }

    /// RFC 6902 `remove`: the document without the value at `tokens`, and that value.
    func removing(at tokens: [String]) throws(Status) -> (document: JSON, removed: JSON) {
        guard let last = tokens.last else { throw Self.unfit("json patch: cannot remove the whole document") }
        let removed = try value(at: tokens)
        let parentPath = Array(tokens.dropLast())
        var parent = try value(at: parentPath)
        switch parent {
        case .object(var o): o[last] = nil; parent = .object(o)
        case .array(var a): a.remove(at: JSONPointer.index(last)!); parent = .array(a)
        default: break
        }
        return (try settingValue(at: parentPath, to: parent), removed)
    }

    /// This document with the (existing) value at `tokens` set to `value`.
    private func settingValue(at tokens: [String], to value: JSON) throws(Status) -> JSON {
        guard let first = tokens.first else { return value }
        let rest = Array(tokens.dropFirst())
        switch self {
        case .object(var o):
            o[first] = try (o[first] ?? .null).settingValue(at: rest, to: value)
            return .object(o)
        case .array(var a):
            let i = JSONPointer.index(first)!
            a[i] = try a[i].settingValue(at: rest, to: value)
            return .array(a)
        default:
            throw Self.unfit("json patch: no value at \(JSONPointer.text(tokens))")
        }
    }

    /// Equality as RFC 6902's `test` means it: numbers by value, objects regardless of
    /// member order.
    func equalsAsJSON(_ other: JSON) -> Bool {
        switch (self, other) {
        case (.number(let a), .number(let b)): return a == b || (Double(a) != nil && Double(a) == Double(b))
        case (.array(let a), .array(let b)): return a.count == b.count && zip(a, b).allSatisfy { $0.equalsAsJSON($1) }
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.allSatisfy { k, v in b[k].map { v.equalsAsJSON($0) } ?? false }
        default: return self == other
        }
    }
}

/// A JSON Pointer (RFC 6901): `/a/b~1c/0`; `~1` stands for `/` and `~0` for `~`.
struct JSONPointer {
    let text: String
    let tokens: [String]

    init(_ op: JSON, member: String, index i: Int) throws(Status) {
        guard let t = op[member].stringValue else { throw .badRequest("json patch operation \(i) has no \"\(member)\" string") }
        guard t.isEmpty || t.hasPrefix("/") else { throw .badRequest("json patch operation \(i): \"\(Status.clip(t))\" is not a JSON pointer (it must start with /)") }
        text = t
        var out: [String] = []
        for raw in t.isEmpty ? [] : t.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            out.append(try Self.unescape(raw, index: i))
        }
        tokens = out
    }

    /// `~1` is `/`, `~0` is `~`; any other `~` is an error (RFC 6901).
    static func unescape(_ raw: Substring, index i: Int) throws(Status) -> String {
        var out = ""
        var tilde = false
        for c in raw {
            if tilde {
                guard c == "0" || c == "1" else { throw .badRequest("json patch operation \(i): \"~\(c)\" is not an escape in a JSON pointer (~0 or ~1)") }
                out.append(c == "0" ? "~" : "/")
                tilde = false
            } else if c == "~" {
                tilde = true
            } else {
                out.append(c)
            }
        }
        if tilde { throw .badRequest("json patch operation \(i): a JSON pointer may not end with ~") }
        return out
    }

    /// An array index token: decimal digits without a leading zero.
    static func index(_ token: String) -> Int? {
        guard !token.isEmpty, token.allSatisfy(\.isASCII), token.allSatisfy(\.isNumber), token == "0" || !token.hasPrefix("0") else { return nil }
        return Int(token)
    }

    static func text(_ tokens: [String]) -> String {
        tokens.map { t in "/" + t.map { $0 == "~" ? "~0" : $0 == "/" ? "~1" : String($0) }.joined() }.joined()
    }
}
