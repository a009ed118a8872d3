import Synchronization

/// Which pods are bound to which node, and which ConfigMaps and Secrets those pods
/// reference: what Kubernetes' node authorizer walks in its graph, kept here from the
/// store's committed changes so an authorization is a lookup, not a scan of the pods.
///
/// Thread-safety: any thread. `apply` runs on the store's completion thread, in commit
/// order, before the writes it describes are answered or published to watches, so a
/// kubelet that hears of a pod may at once read what the pod references.
final class NodeGraph: Sendable {
    /// A ConfigMap or Secret a pod names.
    struct Reference: Hashable, Sendable {
        /// `configmaps` or `secrets`.
        var resource: String
        var namespace: String
        var name: String
    }

    struct Pod {
        var node: String
        var references: [Reference]
    }

    struct State {
        /// Bound pods by `namespace/name`.
        var pods: [String: Pod] = [:]
        /// For each node, how many of its pods reference each object.
        var referenced: [String: [Reference: Int]] = [:]
    }

    private let state = Mutex(State())

    init() {}

    /// Takes in committed changes (pods only matter).
    func apply(_ changes: [ChangeEvent]) {
        let pods = changes.filter { $0.key.resource == "pods" }
        guard !pods.isEmpty else { return }
        state.withLock { s in
            for c in pods {
                let key = (c.key.namespace ?? "") + "/" + c.key.name
                if c.kind == .deleted {
                    Self.set(key, nil, in: &s)
                } else {
                    let object = c.object ?? (try? JSON.parse(c.bytes)) ?? .null
                    Self.set(key, Self.entry(object, namespace: c.key.namespace ?? ""), in: &s)
                }
            }
        }
    }

    /// Takes in pods read from the store (at start, before any write).
    func load(_ pods: [(namespace: String, name: String, object: JSON)]) {
        state.withLock { s in
            for p in pods { Self.set(p.namespace + "/" + p.name, Self.entry(p.object, namespace: p.namespace), in: &s) }
        }
    }

    /// True if pod `namespace/name` is bound to `node`.
    func podIsBound(namespace: String, name: String, to node: String) -> Bool {
        state.withLock { $0.pods[namespace + "/" + name]?.node == node }
    }

    /// True if a pod bound to `node` references the object.
    func isReferenced(_ ref: Reference, by node: String) -> Bool {
        state.withLock { ($0.referenced[node]?[ref] ?? 0) > 0 }
    }

    private static func entry(_ pod: JSON, namespace: String) -> Pod? {
        guard let node = pod["spec"]["nodeName"].stringValue, !node.isEmpty else { return nil }
        return Pod(node: node, references: references(of: pod, namespace: namespace))
    }

    private static func set(_ key: String, _ pod: Pod?, in s: inout State) {
        if let old = s.pods[key] {
            for r in old.references {
                let left = (s.referenced[old.node]?[r] ?? 1) - 1
                s.referenced[old.node]?[r] = left > 0 ? left : nil
            }
            if s.referenced[old.node]?.isEmpty == true { s.referenced[old.node] = nil }
        }
        s.pods[key] = pod
        guard let pod else { return }
        for r in pod.references { s.referenced[pod.node, default: [:]][r, default: 0] += 1 }
    }

    /// The ConfigMaps and Secrets `pod` names, each once: volumes (`configMap`, `secret`,
    /// `projected` sources), containers' `env[].valueFrom` key refs and `envFrom`
    /// (init and ephemeral containers too), and `imagePullSecrets`.
    static func references(of pod: JSON, namespace: String) -> [Reference] {
        var out = Set<Reference>()
        func add(_ resource: String, _ name: JSON) {
            if let n = name.stringValue, !n.isEmpty { out.insert(Reference(resource: resource, namespace: namespace, name: n)) }
        }
        let spec = pod["spec"]
        for v in spec["volumes"].arrayValue ?? [] {
            add("configmaps", v["configMap"]["name"])
            add("secrets", v["secret"]["secretName"])
            for source in v["projected"]["sources"].arrayValue ?? [] {
                add("configmaps", source["configMap"]["name"])
                add("secrets", source["secret"]["name"])
            }
        }
        for list in ["initContainers", "containers", "ephemeralContainers"] {
            for c in spec[list].arrayValue ?? [] {
                for e in c["env"].arrayValue ?? [] {
                    add("configmaps", e["valueFrom"]["configMapKeyRef"]["name"])
                    add("secrets", e["valueFrom"]["secretKeyRef"]["name"])
                }
                for e in c["envFrom"].arrayValue ?? [] {
                    add("configmaps", e["configMapRef"]["name"])
                    add("secrets", e["secretRef"]["name"])
                }
            }
        }
        for s in spec["imagePullSecrets"].arrayValue ?? [] { add("secrets", s["name"]) }
        return Array(out)
    }
}

extension NodeGraph {
    /// Reads every pod in the store, in pages (call before the store takes writes).
    func load(from store: Store) throws(Status) {
        var after: String? = nil
        var at: Int64? = nil
        repeat {
            let page = try store.list(KeyRange(resource: "pods", namespace: nil), after: after, limit: 1000, atRevision: at,
                                      keepsAll: true) { _ in true }
            at = page.revision
            var pods: [(namespace: String, name: String, object: JSON)] = []
            for item in page.items {
                guard let key = ObjectKey(path: item.key) else { continue }
                pods.append((key.namespace ?? "", key.name, try item.json()))
            }
            load(pods)
            after = page.continueAfter
        } while after != nil
    }
}
