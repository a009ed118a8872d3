/// What Skiff knows about one kind of API object: its names and where it lives.
/// Shared by the apiserver (routing, discovery) and ctl (resolving what a user typed).
public struct ResourceType: Sendable, Equatable, Hashable {
    public let kind: String
    public let plural: String
    public let singular: String
    public let shortNames: [String]
    public let group: String
    public let version: String
    public let namespaced: Bool

    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    /// `pods`, `replicasets.apps`: the fully qualified resource as kubectl prints it.
    public var qualifiedPlural: String { group.isEmpty ? plural : "\(plural).\(group)" }
    /// The `TYPE` of `-o name`: `pod`, `replicaset.apps`.
    public var nameType: String { group.isEmpty ? singular : "\(singular).\(group)" }

    public init(kind: String, plural: String, singular: String, shortNames: [String] = [], group: String = "", version: String = "v1", namespaced: Bool) {
        self.kind = kind
        self.plural = plural
        self.singular = singular
        self.shortNames = shortNames
        self.group = group
        self.version = version
        self.namespaced = namespaced
    }

    public static let namespaces = ResourceType(kind: "Namespace", plural: "namespaces", singular: "namespace", shortNames: ["ns"], namespaced: false)
    public static let nodes = ResourceType(kind: "Node", plural: "nodes", singular: "node", shortNames: ["no"], namespaced: false)
    public static let pods = ResourceType(kind: "Pod", plural: "pods", singular: "pod", shortNames: ["po"], namespaced: true)
    public static let events = ResourceType(kind: "Event", plural: "events", singular: "event", shortNames: ["ev"], namespaced: true)
    public static let configMaps = ResourceType(kind: "ConfigMap", plural: "configmaps", singular: "configmap", shortNames: ["cm"], namespaced: true)
    public static let secrets = ResourceType(kind: "Secret", plural: "secrets", singular: "secret", namespaced: true)
    public static let leases = ResourceType(kind: "Lease", plural: "leases", singular: "lease", group: "coordination.k8s.io", namespaced: true)
    public static let replicaSets = ResourceType(kind: "ReplicaSet", plural: "replicasets", singular: "replicaset", shortNames: ["rs"], group: "apps", namespaced: true)
    public static let deployments = ResourceType(kind: "Deployment", plural: "deployments", singular: "deployment", shortNames: ["deploy"], group: "apps", namespaced: true)
    public static let daemonSets = ResourceType(kind: "DaemonSet", plural: "daemonsets", singular: "daemonset", shortNames: ["ds"], group: "apps", namespaced: true)
    public static let controllerRevisions = ResourceType(kind: "ControllerRevision", plural: "controllerrevisions", singular: "controllerrevision", group: "apps", namespaced: true)
    public static let statefulSets = ResourceType(kind: "StatefulSet", plural: "statefulsets", singular: "statefulset", shortNames: ["sts"], group: "apps", namespaced: true)
    public static let jobs = ResourceType(kind: "Job", plural: "jobs", singular: "job", group: "batch", namespaced: true)
    public static let cronJobs = ResourceType(kind: "CronJob", plural: "cronjobs", singular: "cronjob", shortNames: ["cj"], group: "batch", namespaced: true)
    public static let services = ResourceType(kind: "Service", plural: "services", singular: "service", shortNames: ["svc"], namespaced: true)
    public static let runtimeClasses = ResourceType(kind: "RuntimeClass", plural: "runtimeclasses", singular: "runtimeclass", group: "node.k8s.io", namespaced: false)

    /// Every kind Skiff recognises by name. The server's discovery says which it serves;
    /// the others are refused with "not supported yet".
    public static let known: [ResourceType] = [
        .namespaces, .nodes, .pods, .events, .configMaps, .secrets, .leases,
        .replicaSets, .deployments, .daemonSets, .controllerRevisions, .statefulSets, .jobs, .cronJobs, .services, .runtimeClasses,
    ]

    /// Resolves what a user typed (`po`, `pod`, `pods`, `Pod`, `replicaset.apps`,
    /// `leases.coordination.k8s.io`) to a known type.
    public static func resolve(_ name: String, among types: [ResourceType] = known) -> ResourceType? {
        let lower = name.lowercased()
        var base = lower
        var group: String? = nil
        if let dot = lower.firstIndex(of: ".") {
            base = String(lower[..<dot])
            group = String(lower[lower.index(after: dot)...])
        }
        return types.first { t in
            if let g = group, g != t.group.lowercased() { return false }
            return t.plural == base || t.singular == base || t.shortNames.contains(base) || t.kind.lowercased() == base
        }
    }

    /// The type of an object given its `apiVersion` and `kind`.
    public static func forKind(_ kind: String, apiVersion: String, among types: [ResourceType] = known) -> ResourceType? {
        // "apps/v1" is group "apps"; "v1" (and "/v1") the core group "".
        let group = apiVersion.firstIndex(of: "/").map { String(apiVersion[..<$0]) } ?? ""
        return types.first { $0.kind == kind && $0.group == group }
    }
}
