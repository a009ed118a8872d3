/// Namespaces: `Active` until deleted, then `Terminating` while the namespace controller
/// empties them; gone once `spec.finalizers` is empty.
struct NamespaceStrategy: ResourceStrategy {
    typealias Typed = Namespace
    let type = ResourceType.namespaces
    var hasStatusSubresource: Bool { true }
    /// The namespaces the system needs; deleting them is refused (403), as in Kubernetes.
    static let immortal = Set(Bootstrap.namespaces)

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
