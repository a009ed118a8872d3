import Foundation

/// What `label` and `annotate` share: they edit one string map under `metadata`.
struct MetadataMapEdit {
    /// `labels` or `annotations`.
    var field: String
    /// `label` or `annotation`, for messages.
    var noun: String
    var additions: [(String, String)] = []
    var remove: [String] = []

    /// Splits `KEY=VAL` and `KEY-` arguments (at the end) from the resource arguments.
    static func split(_ args: [String], field: String, noun: String) throws -> (resources: [String], edit: MetadataMapEdit) {
        var edit = MetadataMapEdit(field: field, noun: noun)
        var resources: [String] = []
        for a in args {
            if let eq = a.firstIndex(of: "=") {
                let k = String(a[..<eq]), v = String(a[a.index(after: eq)...])
                guard !k.isEmpty else { throw CtlError("invalid \(noun) spec: \(a)") }
                edit.additions.append((k, v))
            } else if a.hasSuffix("-"), a.count > 1 {
                edit.remove.append(String(a.dropLast()))
            } else if edit.additions.isEmpty && edit.remove.isEmpty {
                resources.append(a)
            } else {
                throw CtlError("all resources must be specified before \(noun) changes: \(a)")
            }
        }
        if edit.remove.contains(where: { k in edit.additions.contains { $0.0 == k } }) {
            throw CtlError("can not both modify and remove \(noun)s in the same command")
        }
        return (resources, edit)
    }

    var isEmpty: Bool { additions.isEmpty && remove.isEmpty }

    /// The map after the edit, or the `--overwrite` error.
    func apply(to current: JSONObject, overwrite: Bool) throws -> JSONObject {
        var out = current
        for (k, v) in additions {
            if !overwrite, let old = current[k]?.stringValue, old != v {
                throw CtlError("'\(k)' already has a value (\(old)), and --overwrite is false")
            }
            out[k] = .string(v)
        }
        for k in remove { out[k] = nil }
        return out
    }

    /// The merge patch taking `old` to `new`: only the keys that change.
    func patch(from old: JSONObject, to new: JSONObject) -> JSON {
        var m = JSONObject()
        for (k, v) in new where old[k] != v { m[k] = v }
        for k in old.keys where new[k] == nil { m[k] = .null }
        return .object(JSONObject([("metadata", .object(JSONObject([(field, .object(m))])))]))
    }

    /// The one place the write is built (a dry-run member belongs here).
    static func request(_ t: Target, patch: JSON) -> Request {
        var req = Request(verb: .patch, resource: t.type.plural, namespace: t.namespace, name: t.name)
        req.patch = patch
        req.patchType = "merge"
        return req
    }

    /// `--list`: `KEY=VALUE` lines, sorted; with several objects each gets a heading.
    static func list(_ objects: [(Target, JSON)], field: String, noun: String) {
        let one = objects.count == 1
        for (t, obj) in objects {
            if !one { Output.print("Listing \(noun)s for \(t.type.kind).\(t.type.version)/\(t.name):\n") }
            let map = obj["metadata"][field].objectValue ?? JSONObject()
            for (k, v) in map.entries.sorted(by: { $0.key < $1.key }) {
                Output.print("\(one ? "" : " ")\(k)=\(v.stringValue ?? "")\n")
            }
        }
    }
}
