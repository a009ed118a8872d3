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
                let gone = Set((v.arrayValue ?? []).map(\.compactString))
                if let list = target[field]?.arrayValue { target[field] = .array(list.filter { !gone.contains($0.compactString) }) }
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
        // Ranks by the key's compact text, found once per item (a long list stays n log n).
        func id(_ item: JSON) -> String { (key.map { item[$0] } ?? item).compactString }
        func ranks(_ list: [JSON]) -> [String: Int] {
            Dictionary(list.enumerated().map { (id($0.element), $0.offset) }, uniquingKeysWith: { first, _ in first })
        }
        let orderRank = ranks(order), liveRank = ranks(live)
        let ranked = merged.map { (item: $0, id: id($0)) }
        let named = ranked.compactMap { r in orderRank[r.id].map { (r.item, r.id, $0) } }.sorted { $0.2 < $1.2 }.map { ($0.0, $0.1) }
        let serverOnly = ranked.filter { orderRank[$0.id] == nil }.map { ($0.item, $0.id) }
        var out: [JSON] = [], i = 0, j = 0
        while i < serverOnly.count || j < named.count {
            if j >= named.count {
                out.append(serverOnly[i].0); i += 1
            } else if i < serverOnly.count, let l = liveRank[serverOnly[i].1], let r = liveRank[named[j].1], l < r {
                out.append(serverOnly[i].0); i += 1
            } else {
                out.append(named[j].0); j += 1
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
            var seen = Set(original.map(\.compactString))
            return .array(original + patch.filter { seen.insert($0.compactString).inserted })
        }
        guard let key = strategicMergeKeys[field], patch.allSatisfy({ $0.objectValue != nil }) else {
            return .array(patch.map(stripDirectives))
        }
        // Items found by their key's compact text through an index (a long hostile list
        // stays linear); removed ones leave a hole until the end.
        var merged: [JSON?] = original
        var positions: [String: [Int]] = [:]
        for (i, item) in original.enumerated() { positions[item[key].compactString, default: []].append(i) }
        for item in patch {
            let id = item[key]
            if id.isNull { throw .badRequest("strategic merge patch: an item of \(field) has no \(key), its merge key") }
            let k = id.compactString
            if item["$patch"].stringValue == "delete" {
                for at in positions.removeValue(forKey: k) ?? [] { merged[at] = nil }
            } else if let at = positions[k]?.first, let live = merged[at] {
                if let m = try strategicMerge(live, item) {
                    merged[at] = m
                } else {
                    merged[at] = nil
                    positions[k]?.removeFirst()
                    if positions[k]?.isEmpty == true { positions[k] = nil }
                }
            } else {
                positions[k] = [merged.count]
                merged.append(stripDirectives(item))
            }
        }
        return .array(merged.compactMap { $0 })
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
