/// Strategic merge patch, as Kubernetes applies it to the kinds Skiff serves: a merge
/// patch (RFC 7386) in which some lists merge item by item by a key instead of being
/// replaced, and `$patch` directives say `replace` or `delete`.
///
/// Pure functions. The merge keys are Kubernetes' `patchMergeKey` tags for core/v1; a list
/// without one (tolerations, args, command, ...) is replaced whole, as in Kubernetes.
extension JSON {
    /// List fields merged by a key, by field name.
    static let strategicMergeKeys: [String: String] = [
        "containers": "name", "initContainers": "name", "ephemeralContainers": "name",
        "ports": "containerPort", "env": "name", "volumes": "name", "volumeMounts": "mountPath",
        "volumeDevices": "devicePath", "imagePullSecrets": "name", "hostAliases": "ip",
        "ownerReferences": "uid", "conditions": "type", "addresses": "type", "resourceClaims": "name",
    ]
    /// Lists of scalars merged as sets (`patchStrategy:"merge"` without a key).
    static let strategicSetLists: Set<String> = ["finalizers"]

    public func applyingStrategicMergePatch(_ patch: JSON) throws(Status) -> JSON {
        guard case .object = patch else { throw .badRequest("a strategic merge patch must be a JSON object, got \(patch.typeName)") }
        return try Self.strategicMerge(self, patch) ?? .object(JSONObject())
    }

    /// `original` with the object `patch` merged in; nil when the patch says `$patch: delete`.
    static func strategicMerge(_ original: JSON, _ patch: JSON) throws(Status) -> JSON? {
        guard case .object(let p) = patch else { return patch }
        switch p["$patch"]?.stringValue {
        case "delete"?: return nil
        case "replace"?: return stripDirectives(patch)
        case "merge"?, nil: break
        case let other?: throw .badRequest("strategic merge patch: unknown $patch directive \"\(Status.clip(other))\"; supported: replace, delete, merge")
        }
        var target = original.objectValue ?? JSONObject()
        for (k, v) in p {
            if k == "$patch" || k.hasPrefix("$setElementOrder/") || k == "$retainKeys" { continue }
            if k.hasPrefix("$deleteFromPrimitiveList/") {
                let field = String(k.dropFirst("$deleteFromPrimitiveList/".count))
                let gone = v.arrayValue ?? []
                if let list = target[field]?.arrayValue { target[field] = .array(list.filter { !gone.contains($0) }) }
                continue
            }
            switch v {
            case .null: target[k] = nil
            case .object:
                if let merged = try strategicMerge(target[k] ?? .null, v) { target[k] = merged } else { target[k] = nil }
            case .array(let items): target[k] = try strategicMergeList(target[k]?.arrayValue, items, field: k)
            default: target[k] = v
            }
        }
        for (k, v) in p where k.hasPrefix("$setElementOrder/") {
            let field = String(k.dropFirst("$setElementOrder/".count))
            guard let merged = target[field]?.arrayValue, let order = v.arrayValue else { continue }
            let live = original[field].arrayValue ?? []
            target[field] = .array(ordered(merged, by: order, live: live, key: strategicMergeKeys[field]))
        }
        return .object(target)
    }

    /// Kubernetes' `normalizeElementOrder` for `$setElementOrder/F`: the items the directive
    /// names come in its order; the others (the server's alone) keep their order and go
    /// before a named item only where both were already in that order in the live list.
    static func ordered(_ merged: [JSON], by order: [JSON], live: [JSON], key: String?) -> [JSON] {
        func id(_ item: JSON) -> JSON { key.map { item[$0] } ?? item }
        // Lists are short (conditions, containers): linear lookups keep JSON un-hashed.
        let orderIDs = order.map(id), liveIDs = live.map(id)
        func rank(_ item: JSON) -> Int? { orderIDs.firstIndex(of: id(item)) }
        func liveRank(_ item: JSON) -> Int? { liveIDs.firstIndex(of: id(item)) }
        let named = merged.filter { rank($0) != nil }.sorted { rank($0)! < rank($1)! }
        let serverOnly = merged.filter { rank($0) == nil }
        var out: [JSON] = [], i = 0, j = 0
        while i < serverOnly.count || j < named.count {
            if j >= named.count {
                out.append(serverOnly[i]); i += 1
            } else if i < serverOnly.count, let l = liveRank(serverOnly[i]), let r = liveRank(named[j]), l < r {
                out.append(serverOnly[i]); i += 1
            } else {
                out.append(named[j]); j += 1
            }
        }
        return out
    }

    static func strategicMergeList(_ original: [JSON]?, _ patch: [JSON], field: String) throws(Status) -> JSON {
        if patch.contains(where: { $0["$patch"].stringValue == "replace" }) {
            return .array(patch.filter { $0["$patch"].stringValue != "replace" }.map(stripDirectives))
        }
        guard let original else {
            return .array(patch.filter { $0["$patch"].stringValue != "delete" }.map(stripDirectives))
        }
        if strategicSetLists.contains(field) {
            return .array(original + patch.filter { !original.contains($0) })
        }
        guard let key = strategicMergeKeys[field], patch.allSatisfy({ $0.objectValue != nil }) else {
            return .array(patch.map(stripDirectives))
        }
        var merged = original
        for item in patch {
            let id = item[key]
            if id.isNull { throw .badRequest("strategic merge patch: an item of \(field) has no \(key), its merge key") }
            let at = merged.firstIndex { $0[key] == id }
            if item["$patch"].stringValue == "delete" {
                merged.removeAll { $0[key] == id }
            } else if let at {
                if let m = try strategicMerge(merged[at], item) { merged[at] = m } else { merged.remove(at: at) }
            } else {
                merged.append(stripDirectives(item))
            }
        }
        return .array(merged)
    }

    /// A patch value as data: the `$` directives taken out, at every depth.
    static func stripDirectives(_ v: JSON) -> JSON {
        switch v {
        case .object(let o):
            var out = JSONObject()
            for (k, x) in o where !k.hasPrefix("$") { out[k] = stripDirectives(x) }
            return .object(out)
        case .array(let a): return .array(a.map(stripDirectives))
        default: return v
        }
    }
}
