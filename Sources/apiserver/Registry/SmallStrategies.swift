import Foundation

/// Namespaces: `Active` until deleted, then `Terminating` while the namespace controller
/// empties them; gone once `spec.finalizers` is empty.
struct NamespaceStrategy: ResourceStrategy {
    typealias Typed = Namespace
    let type = ResourceType.namespaces
    var hasStatusSubresource: Bool { true }

    func prepareForCreate(_ ns: inout JSON) {
        ns["status"] = ["phase": "Active"]
        if ns["spec"]["finalizers"].isNull { ns[path: ["spec", "finalizers"]] = ["kubernetes"] }
    }

    func applyDefaults(_ ns: inout JSON) {
        // Kubernetes labels every namespace with its own name.
        if let name = ns["metadata"]["name"].stringValue {
            ns[path: ["metadata", "labels", "kubernetes.io/metadata.name"]] = .string(name)
        }
    }

    func fieldValue(_ ns: JSON, _ field: String) -> String? {
        if field == "status.phase" { return ns["status"]["phase"].stringValue ?? "" }
        return commonFieldValue(ns, field)
    }

    func readyToDelete(_ ns: JSON) -> Bool {
        (ns["metadata"]["finalizers"].arrayValue ?? []).isEmpty && (ns["spec"]["finalizers"].arrayValue ?? []).isEmpty
    }

    func beginDeletion(_ ns: inout JSON) {
        ns[path: ["status", "phase"]] = "Terminating"
    }
}

struct NodeStrategy: ResourceStrategy {
    typealias Typed = Node
    let type = ResourceType.nodes
    var hasStatusSubresource: Bool { true }

    /// A kubelet registers its Node with its status in one create, as in Kubernetes.
    func prepareForCreate(_ node: inout JSON) {}

    func validate(_ node: JSON, typed: Node) -> [Status.Cause] {
        var causes: [Status.Cause] = []
        for (i, t) in (typed.spec?.taints ?? []).enumerated() {
            if let p = LabelSyntax.keyProblem(t.key) { causes.append(.invalid("spec.taints[\(i)].key", t.key, p)) }
            if !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(t.effect) {
                causes.append(.notSupported("spec.taints[\(i)].effect", t.effect, supported: ["NoExecute", "NoSchedule", "PreferNoSchedule"]))
            }
        }
        return causes
    }

    func fieldValue(_ node: JSON, _ field: String) -> String? {
        if field == "spec.unschedulable" { return node["spec"]["unschedulable"].boolValue == true ? "true" : "false" }
        return commonFieldValue(node, field)
    }
}

struct LeaseStrategy: ResourceStrategy {
    typealias Typed = Lease
    let type = ResourceType.leases

    func validate(_ lease: JSON, typed: Lease) -> [Status.Cause] {
        if let d = typed.spec?.leaseDurationSeconds, d <= 0 {
            return [.invalid("spec.leaseDurationSeconds", String(d), "must be greater than 0")]
        }
        return []
    }
}

struct EventStrategy: ResourceStrategy {
    typealias Typed = Event
    let type = ResourceType.events

    func validate(_ event: JSON, typed: Event) -> [Status.Cause] {
        var causes: [Status.Cause] = []
        if let t = typed.type, !["Normal", "Warning"].contains(t) {
            causes.append(.notSupported("type", t, supported: ["Normal", "Warning"]))
        }
        if let ns = typed.involvedObject.namespace, !ns.isEmpty, ns != typed.metadata.namespace {
            causes.append(.invalid("involvedObject.namespace", ns, "does not match event.namespace"))
        }
        return causes
    }

    func fieldValue(_ e: JSON, _ field: String) -> String? {
        let io = e["involvedObject"]
        switch field {
        case "involvedObject.kind": return io["kind"].stringValue ?? ""
        case "involvedObject.namespace": return io["namespace"].stringValue ?? ""
        case "involvedObject.name": return io["name"].stringValue ?? ""
        case "involvedObject.uid": return io["uid"].stringValue ?? ""
        case "involvedObject.apiVersion": return io["apiVersion"].stringValue ?? ""
        case "involvedObject.resourceVersion": return io["resourceVersion"].stringValue ?? ""
        case "involvedObject.fieldPath": return io["fieldPath"].stringValue ?? ""
        case "reason": return e["reason"].stringValue ?? ""
        case "reportingComponent": return e["reportingComponent"].stringValue ?? ""
        case "source": return e["source"]["component"].stringValue ?? ""
        case "type": return e["type"].stringValue ?? ""
        default: return commonFieldValue(e, field)
        }
    }
}

struct ConfigMapStrategy: ResourceStrategy {
    typealias Typed = ConfigMap
    let type = ResourceType.configMaps

    func validate(_ cm: JSON, typed: ConfigMap) -> [Status.Cause] {
        var causes: [Status.Cause] = []
        var total = 0
        for (field, dict) in [("data", typed.data ?? [:]), ("binaryData", typed.binaryData ?? [:])] {
            for (k, v) in dict.sorted(by: { $0.key < $1.key }) {
                if let p = configKeyProblem(k) { causes.append(.invalid("\(field)[\(k)]", k, p)) }
                total += v.utf8.count
            }
        }
        if total > 1 << 20 {
            causes.append(.init(reason: "FieldValueTooLong", message: "Too long: must have at most 1048576 bytes", field: "data"))
        }
        return causes
    }

    func validateUpdate(_ new: JSON, old: JSON) -> [Status.Cause] {
        immutableDataCheck(new, old)
    }
}

struct SecretStrategy: ResourceStrategy {
    typealias Typed = Secret
    let type = ResourceType.secrets

    func applyDefaults(_ s: inout JSON) {
        if s["type"].isNull { s["type"] = "Opaque" }
    }

    /// `stringData` is write-only: folded into `data` (base64) and dropped.
    func prepareForCreate(_ s: inout JSON) { Self.foldStringData(&s) }

    static func foldStringData(_ s: inout JSON) {
        guard case .object(let sd) = s["stringData"] else { s["stringData"] = .null; return }
        var data = s["data"].objectValue ?? JSONObject()
        for (k, v) in sd { data[k] = .string(Data((v.stringValue ?? "").utf8).base64EncodedString()) }
        s["data"] = .object(data)
        s["stringData"] = .null
    }

    func validate(_ s: JSON, typed: Secret) -> [Status.Cause] {
        var causes: [Status.Cause] = []
        for (k, v) in (typed.data ?? [:]).sorted(by: { $0.key < $1.key }) {
            if let p = configKeyProblem(k) { causes.append(.invalid("data[\(k)]", k, p)) }
            if Data(base64Encoded: v) == nil { causes.append(.invalid("data[\(k)]", "<secret contents redacted>", "illegal base64 data")) }
        }
        return causes
    }

    func validateUpdate(_ new: JSON, old: JSON) -> [Status.Cause] {
        var causes = immutableDataCheck(new, old)
        if new["type"] != old["type"] { causes.append(.invalid("type", new["type"].stringValue ?? "", "field is immutable")) }
        return causes
    }

    func fieldValue(_ s: JSON, _ field: String) -> String? {
        if field == "type" { return s["type"].stringValue ?? "" }
        return commonFieldValue(s, field)
    }
}

/// ConfigMap and Secret keys: alphanumerics, `-`, `_`, `.`; at most 253 characters.
func configKeyProblem(_ k: String) -> String? {
    let ok = !k.isEmpty && k.utf8.count <= 253 && k.utf8.allSatisfy {
        LabelSyntax.isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
    } && k != "." && k != ".."
    return ok ? nil : "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
}

/// `immutable: true` freezes data and binaryData, and cannot be undone.
func immutableDataCheck(_ new: JSON, _ old: JSON) -> [Status.Cause] {
    guard old["immutable"].boolValue == true else { return [] }
    var causes: [Status.Cause] = []
    if new["immutable"].boolValue != true { causes.append(.forbidden("immutable", "field is immutable when `immutable` is set")) }
    if new["data"] != old["data"] || new["binaryData"] != old["binaryData"] {
        causes.append(.forbidden("data", "field is immutable when `immutable` is set"))
    }
    return causes
}
