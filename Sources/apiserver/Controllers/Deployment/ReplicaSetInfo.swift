import Wire

/// What the rollout arithmetic reads of one ReplicaSet.
struct ReplicaSetInfo: Equatable, Sendable {
    var name: String
    /// `spec.replicas`.
    var replicas: Int
    var statusReplicas: Int = 0
    var readyReplicas: Int = 0
    var availableReplicas: Int = 0
    /// `creationTimestamp` (RFC 3339 in UTC, so it sorts as text).
    var created: String = ""
    /// `deployment.kubernetes.io/revision`, 0 when absent or not a number.
    var revision: Int = 0
    /// `deployment.kubernetes.io/desired-replicas` and `max-replicas`.
    var desiredAnnotation: Int? = nil
    var maxAnnotation: Int? = nil

    init(name: String, replicas: Int, statusReplicas: Int = 0, readyReplicas: Int = 0, availableReplicas: Int = 0,
         created: String = "", revision: Int = 0, desiredAnnotation: Int? = nil, maxAnnotation: Int? = nil) {
        self.name = name
        self.replicas = replicas
        self.statusReplicas = statusReplicas
        self.readyReplicas = readyReplicas
        self.availableReplicas = availableReplicas
        self.created = created
        self.revision = revision
        self.desiredAnnotation = desiredAnnotation
        self.maxAnnotation = maxAnnotation
    }

    init(_ rs: JSON) {
        let a = rs["metadata"]["annotations"]
        self.init(name: rs["metadata"]["name"].stringValue ?? "", replicas: rs["spec"]["replicas"].intValue ?? 1,
                  statusReplicas: rs["status"]["replicas"].intValue ?? 0, readyReplicas: rs["status"]["readyReplicas"].intValue ?? 0,
                  availableReplicas: rs["status"]["availableReplicas"].intValue ?? 0,
                  created: rs["metadata"]["creationTimestamp"].stringValue ?? "",
                  revision: a[Revisions.revision].stringValue.flatMap { Int($0) } ?? 0,
                  desiredAnnotation: a[Revisions.desiredReplicas].stringValue.flatMap { Int($0) },
                  maxAnnotation: a[Revisions.maxReplicas].stringValue.flatMap { Int32($0) }.flatMap { $0 >= 0 ? Int($0) : nil })
    }

    /// Kubernetes' `ReplicaSetsByCreationTimestamp`: oldest first, then by name.
    static func byCreation(_ a: ReplicaSetInfo, _ b: ReplicaSetInfo) -> Bool {
        a.created == b.created ? a.name < b.name : a.created < b.created
    }

    /// Kubernetes' `ReplicaSetsByRevision`: lowest revision first, then oldest.
    static func byRevision(_ a: ReplicaSetInfo, _ b: ReplicaSetInfo) -> Bool {
        a.revision == b.revision ? byCreation(a, b) : a.revision < b.revision
    }

    /// Kubernetes' `ReplicaSetsBySizeNewer` (scaling up): largest first, newer on ties.
    static func bySizeNewer(_ a: ReplicaSetInfo, _ b: ReplicaSetInfo) -> Bool {
        a.replicas == b.replicas ? byCreation(b, a) : a.replicas > b.replicas
    }

    /// Kubernetes' `ReplicaSetsBySizeOlder` (scaling down): largest first, older on ties.
    static func bySizeOlder(_ a: ReplicaSetInfo, _ b: ReplicaSetInfo) -> Bool {
        a.replicas == b.replicas ? byCreation(a, b) : a.replicas > b.replicas
    }
}

extension Array where Element == ReplicaSetInfo {
    var specReplicas: Int { reduce(0) { $0 + $1.replicas } }
    var availableReplicas: Int { reduce(0) { $0 + $1.availableReplicas } }
    var active: [ReplicaSetInfo] { filter { $0.replicas > 0 } }
}
