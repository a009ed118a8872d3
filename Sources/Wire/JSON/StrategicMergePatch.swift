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
        return .object(target)
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
