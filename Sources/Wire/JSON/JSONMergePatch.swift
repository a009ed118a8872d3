/// JSON merge patch (RFC 7386): the `--type merge` of `kubectl patch`.
extension JSON {
    /// Applies `patch` to this value: objects merge key by key, `null` removes a key,
    /// anything else replaces.
    public func applyingMergePatch(_ patch: JSON) -> JSON {
        guard case .object(let p) = patch else { return patch }
        var target = objectValue ?? JSONObject()
        for (k, v) in p {
            if v.isNull {
                target[k] = nil
            } else {
                target[k] = (target[k] ?? .null).applyingMergePatch(v)
            }
        }
        return .object(target)
    }

    /// The merge patch that turns what was last applied (`original`) into `modified`, given
    /// what the server holds now (`current`): keys dropped since the last apply are removed,
    /// keys whose value differs from `current` are set, and keys someone else added are
    /// left alone. An empty object means nothing to change.
    public static func threeWayMergePatch(original: JSON, modified: JSON, current: JSON) -> JSON {
        var patch = JSONObject()
        let orig = original.objectValue ?? JSONObject()
        let cur = current.objectValue ?? JSONObject()
        guard let mod = modified.objectValue else { return modified }
        for (k, _) in orig where mod[k] == nil && cur[k] != nil {
            patch[k] = .null
        }
        for (k, v) in mod {
            let c = cur[k] ?? .null
            if case .object = v, case .object = c {
                let sub = threeWayMergePatch(original: orig[k] ?? .null, modified: v, current: c)
                if sub.objectValue?.isEmpty == false { patch[k] = sub }
            } else if !c.covers(v) {
                patch[k] = v
            }
        }
        return .object(patch)
    }

    /// True if this value already says everything `other` says: equal scalars, objects
    /// holding at least `other`'s keys with covering values, arrays of the same length
    /// covering element by element. Server-side defaults inside lists thus do not count as
    /// a difference.
    public func covers(_ other: JSON) -> Bool {
        switch (self, other) {
        case (.object(let a), .object(let b)):
            for (k, v) in b {
                guard let x = a[k], x.covers(v) else { return false }
            }
            return true
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.covers($1) }
        default:
            return self == other
        }
    }
}
