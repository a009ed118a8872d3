/// A node with what the pods bound there already take. The node's allocatable and taints
/// are read once per node change, not once per pod and node.
struct NodeInfo: Sendable, Equatable {
    private(set) var node: JSON
    private(set) var allocatable: ResourceList
    /// `SchedulingFilters.taints(of:)`: the node's taints plus the not-ready one.
    private(set) var taints: [JSON]
    var requested: ResourceList = [:]
    var nonZeroCPU: Int64 = 0
    var nonZeroMemory: Int64 = 0
    var podCount = 0

    var name: String { node["metadata"]["name"].stringValue ?? "" }

    init(node: JSON, pods: [JSON] = []) {
        self.node = node
        allocatable = PodResources.allocatable(node)
        taints = SchedulingFilters.taints(of: node)
        for p in pods { add(p) }
    }

    /// A new version of the node; what its pods take stays.
    mutating func setNode(_ node: JSON) {
        self.node = node
        allocatable = PodResources.allocatable(node)
        taints = SchedulingFilters.taints(of: node)
    }

    mutating func add(_ pod: JSON) { add(requests: PodResources.requests(pod)) }

    mutating func add(requests r: ResourceList) {
        requested.merge(r, uniquingKeysWith: +)
        let nz = PodResources.nonZeroCPUMemory(r)
        nonZeroCPU += nz.cpu
        nonZeroMemory += nz.memory
        podCount += 1
    }

    mutating func remove(requests r: ResourceList) {
        for (k, v) in r {
            let left = requested[k, default: 0] - v
            requested[k] = left == 0 ? nil : left
        }
        let nz = PodResources.nonZeroCPUMemory(r)
        nonZeroCPU -= nz.cpu
        nonZeroMemory -= nz.memory
        podCount -= 1
    }
}
