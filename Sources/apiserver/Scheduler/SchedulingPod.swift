/// What the filters and scores need from a pod, read from its JSON once per scheduling
/// cycle instead of once per node.
struct SchedulingPod {
    let pod: JSON
    let requests: ResourceList
    /// Requested resources to check against allocatable: positive, not `pods`, by name.
    let checkedRequests: [(name: String, amount: Int64)]
    let nonZero: (cpu: Int64, memory: Int64)
    let tolerations: [JSON]
    let toleratesUnschedulable: Bool
    let nodeSelector: [(key: String, value: String?)]
    /// The required node affinity terms; nil when the pod has none.
    let requiredTerms: [JSON]?
    let preferredTerms: [(weight: Int, term: JSON)]

    init(_ pod: JSON, requests: ResourceList? = nil) {
        self.pod = pod
        let requests = requests ?? PodResources.requests(pod)
        self.requests = requests
        checkedRequests = requests.filter { $0.value > 0 && $0.key != "pods" }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        nonZero = PodResources.nonZeroCPUMemory(requests)
        let spec = pod["spec"]
        tolerations = spec["tolerations"].arrayValue ?? []
        toleratesUnschedulable = tolerations.contains {
            SchedulingFilters.tolerates($0, key: SchedulingFilters.unschedulableTaintKey, value: "", effect: "NoSchedule")
        }
        nodeSelector = (spec["nodeSelector"].objectValue?.entries ?? []).map { ($0.0, $0.1.stringValue) }
        let affinity = spec["affinity"]["nodeAffinity"]
        let required = affinity["requiredDuringSchedulingIgnoredDuringExecution"]
        requiredTerms = required.isNull ? nil : (required["nodeSelectorTerms"].arrayValue ?? [])
        preferredTerms = (affinity["preferredDuringSchedulingIgnoredDuringExecution"].arrayValue ?? []).map {
            ($0["weight"].intValue ?? 0, $0["preference"])
        }
    }
}
