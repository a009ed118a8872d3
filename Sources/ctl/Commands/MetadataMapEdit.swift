import Foundation

/// What `label` and `annotate` share: they edit one string map under `metadata`. The two
/// differ in kubectl's wording, kept here.
struct MetadataMapEdit {
    enum Map {
        case labels, annotations

        var field: String { self == .labels ? "labels" : "annotations" }
        var noun: String { self == .labels ? "label" : "annotation" }
    }

    var map: Map
    var additions: [(String, String)] = []
    var removals: [String] = []

    /// Splits the `KEY=VAL` and `KEY-` arguments (which come last) from the resource arguments.
    static func split(_ args: [String], _ map: Map) throws -> (resources: [String], edit: MetadataMapEdit) {
        var edit = MetadataMapEdit(map: map)
        var resources: [String] = []
        for a in args {
            if a.contains("=") {
                let parts = a.split(separator: "=", maxSplits: map == .labels ? Int.max : 1, omittingEmptySubsequences: false)
                guard parts.count == 2, !parts[0].isEmpty else { throw CtlError("invalid \(map.noun) spec: \(a)") }
                edit.additions.removeAll { $0.0 == parts[0] }
                edit.additions.append((String(parts[0]), String(parts[1])))
            } else if a.hasSuffix("-") {
                edit.removals.append(String(a.dropLast()))
            } else if edit.isEmpty {
                resources.append(a)
            } else {
                throw CtlError("all resources must be specified before \(map.noun) changes: \(a)")
            }
        }
        let both = edit.removals.filter { k in edit.additions.contains { $0.0 == k } }
        if !both.isEmpty {
            throw CtlError(map == .labels ? "can not both modify and remove a label in the same command"
                : "can not both modify and remove the following annotation(s) in the same command: \(both.joined(separator: ", "))")
        }
        return (resources, edit)
    }

    var isEmpty: Bool { additions.isEmpty && removals.isEmpty }

    /// The map after the edit, or kubectl's error when a key would change without `--overwrite`.
    func apply(to current: JSONObject, overwrite: Bool) throws -> JSONObject {
        let clashes = overwrite ? [] : additions.compactMap { k, v in
            current[k]?.stringValue.flatMap { $0 == v ? nil : "'\(k)' already has a value (\($0))" }
        }
        if !clashes.isEmpty {
            throw CtlError(map == .labels ? clashes.map { $0 + ", and --overwrite is false" }.joined(separator: ", ")
                : "--overwrite is false but found the following declared annotation(s): " + clashes.joined(separator: "; "))
        }
        var out = current
        for (k, v) in additions { out[k] = .string(v) }
        for k in removals { out[k] = nil }
        return out
    }

    /// The merge patch taking `old` to `new`: only the keys that change.
    func patch(from old: JSONObject, to new: JSONObject) -> JSON {
        var m = JSONObject()
        for (k, v) in new where old[k] != v { m[k] = v }
        for k in old.keys where new[k] == nil { m[k] = .null }
        return .object(JSONObject([("metadata", .object(JSONObject([(map.field, .object(m))])))]))
    }

    /// What kubectl prints after the object's name.
    func outcome(_ old: JSONObject, _ new: JSONObject) -> String {
        guard map == .labels else { return "annotated" }
        let removed = old.keys.contains { new[$0] == nil }
        let added = new.contains { old[$0.key] != $0.value }
        switch (added, removed) {
        case (true, true): return "label(s) changed"
        case (true, false): return "labeled"
        case (false, true): return "unlabeled"
        case (false, false): return "not labeled"
        }
    }

    /// The one place the write is built (a dry-run member belongs here).
    static func request(_ t: Target, patch: JSON) -> Request {
        var req = Request(verb: .patch, resource: t.type.plural, namespace: t.namespace, name: t.name)
        req.patch = patch
        req.patchType = "merge"
        return req
    }

    /// `--list`: `KEY=VALUE` lines (sorted; kubectl's order is random). When the objects were
    /// not named one by one, each gets kubectl's `Listing ... for Kind.group/name:` heading.
    /// With changes given too, kubectl lists them applied locally, not sent.
    func list(_ t: Target, _ values: JSONObject, single: Bool) {
        if !single { Output.print("Listing \(map.field) for \(t.type.kind).\(t.type.group)/\(t.name):\n") }
        for (k, v) in values.entries.sorted(by: { $0.key < $1.key }) {
            Output.print("\(single ? "" : " ")\(k)=\(v.stringValue ?? "")\n")
        }
    }
}
