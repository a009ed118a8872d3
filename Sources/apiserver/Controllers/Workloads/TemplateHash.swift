import Wire

/// The hash of a pod template, shared by the Deployment controller (`pod-template-hash`)
/// and the DaemonSet controller (`controller-revision-hash`) (Kubernetes' `ComputeHash`): FNV-32a
/// over the template, then the collision count as 8 little-endian bytes (only the low 4
/// set), the decimal value rendered with Kubernetes' safe-encoding alphabet. The template is
/// serialized as canonical JSON (keys sorted, nulls and empty maps and lists dropped), so
/// the value is stable across restarts and equal for equal templates, but differs from the
/// one Kubernetes computes from its Go struct dump.
enum TemplateHash {
    static let label = "pod-template-hash"
    private static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789".utf8)

    static func of(_ template: JSON, collisionCount: Int?) -> String {
        var h: UInt32 = 2_166_136_261
        func add(_ b: UInt8) {
            h ^= UInt32(b)
            h = h &* 16_777_619
        }
        var bytes: [UInt8] = []
        canonical(template, into: &bytes)
        for b in bytes { add(b) }
        if let c = collisionCount {
            let v = UInt32(truncatingIfNeeded: c)
            for i in 0..<8 { add(i < 4 ? UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) : 0) }
        }
        return String(decoding: String(h).utf8.map { alphabet[Int($0) % alphabet.count] }, as: UTF8.self)
    }

    /// Kubernetes' `EqualIgnoreHash`: the templates are the same but for the hash label.
    static func equalIgnoringHash(_ a: JSON, _ b: JSON) -> Bool {
        var x = a, y = b
        x[path: ["metadata", "labels", label]] = .null
        y[path: ["metadata", "labels", label]] = .null
        var bx: [UInt8] = [], by: [UInt8] = []
        canonical(x, into: &bx)
        canonical(y, into: &by)
        return bx == by
    }

    /// True for values the canonical form leaves out (Kubernetes' semantic equality treats
    /// nil and empty maps and lists alike).
    private static func isEmpty(_ v: JSON) -> Bool {
        switch v {
        case .null: return true
        case .object(let o): return o.allSatisfy { isEmpty($0.value) }
        case .array(let a): return a.isEmpty
        default: return false
        }
    }

    static func canonical(_ v: JSON, into out: inout [UInt8]) {
        switch v {
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (k, value) in o.entries.sorted(by: { $0.key < $1.key }) where !isEmpty(value) {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                JSON.writeString(k, to: &out)
                out.append(UInt8(ascii: ":"))
                canonical(value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, e) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                canonical(e, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        default:
            v.write(to: &out)
        }
    }
}
