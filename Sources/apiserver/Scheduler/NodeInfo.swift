/// A node with what the pods bound there already take. What the filters read from the
/// node (allocatable, labels, taints) is read once per node change, not once per pod.
struct NodeInfo: Sendable, Equatable {
    struct Taint: Sendable, Equatable {
        let key, value, effect: String
    }

    private(set) var node: JSON
    private(set) var name = ""
    private(set) var allocatable: ResourceList = [:]
    private(set) var labels: [String: String] = [:]
    private(set) var unschedulable = false
    /// `SchedulingFilters.taints(of:)` (the node's taints plus the not-ready one) that keep
    /// pods off: NoSchedule and NoExecute.
    private(set) var taints: [Taint] = []
    var requested: ResourceList = [:]
    var nonZeroCPU: Int64 = 0
    var nonZeroMemory: Int64 = 0
    var podCount = 0

    init(node: JSON, pods: [JSON] = []) {
        self.node = node
        setNode(node)
        for p in pods { add(p) }
    }

    /// A new version of the node; what its pods take stays.
    mutating func setNode(_ node: JSON) {
        self.node = node
        name = node["metadata"]["name"].stringValue ?? ""
        allocatable = PodResources.allocatable(node)
        labels = [:]
        for (k, v) in node["metadata"]["labels"].objectValue?.entries ?? [] { if let v = v.stringValue { labels[k] = v } }
        unschedulable = node["spec"]["unschedulable"].boolValue == true
        taints = SchedulingFilters.taints(of: node).compactMap { t in
            let effect = t["effect"].stringValue ?? ""
            guard effect == "NoSchedule" || effect == "NoExecute" else { return nil }
            return Taint(key: t["key"].stringValue ?? "", value: t["value"].stringValue ?? "", effect: effect)
        }
    }

    mutating func add(_ pod: JSON) { add(requests: PodResources.requests(pod)) }

    /// Sums saturate: a pod with an absurd stored request fills the node rather than
    /// trapping (removing it again may then leave the node counted as fuller than it is).
    mutating func add(requests r: ResourceList) {
        requested.merge(r, uniquingKeysWith: { $0.saturatingAdd($1) })
        let nz = PodResources.nonZeroCPUMemory(r)
        nonZeroCPU = nonZeroCPU.saturatingAdd(nz.cpu)
        nonZeroMemory = nonZeroMemory.saturatingAdd(nz.memory)
        podCount += 1
    }

    mutating func remove(requests r: ResourceList) {
        for (k, v) in r {
            let left = requested[k, default: 0].saturatingSubtract(v)
            requested[k] = left == 0 ? nil : left
        }
        let nz = PodResources.nonZeroCPUMemory(r)
        nonZeroCPU = nonZeroCPU.saturatingSubtract(nz.cpu)
        nonZeroMemory = nonZeroMemory.saturatingSubtract(nz.memory)
        podCount -= 1
    }
}
