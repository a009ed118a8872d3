/// Resource amounts in thousandths of the base unit (millicores, millibytes), so sums and
/// comparisons are exact integers.
typealias ResourceList = [String: Int64]

enum PodResources {
    /// Saturating: a stored quantity too large for Int64 thousandths (written before
    /// validation refused it) counts as Int64.max, so it never fits instead of trapping.
    static func milli(_ q: JSON) -> Int64? { Quantities.value(q).map { Int64(saturating: ($0 * 1000).rounded()) } }

    /// A container's requests; a resource with a limit but no request requests its limit
    /// (what Kubernetes' defaulting writes into the pod).
    static func containerRequests(_ c: JSON) -> ResourceList {
        var out: ResourceList = [:]
        for (k, v) in c["resources"]["limits"].objectValue?.entries ?? [] { if let m = milli(v) { out[k] = m } }
        for (k, v) in c["resources"]["requests"].objectValue?.entries ?? [] { if let m = milli(v) { out[k] = m } }
        return out
    }

    /// What the pod needs on a node: the sum over its containers, at least each init
    /// container's (they run one at a time, before the others), plus `spec.overhead`.
    static func requests(_ pod: JSON) -> ResourceList {
        var total: ResourceList = [:]
        for c in pod["spec"]["containers"].arrayValue ?? [] { total.merge(containerRequests(c), uniquingKeysWith: { $0.saturatingAdd($1) }) }
        for c in pod["spec"]["initContainers"].arrayValue ?? [] { total.merge(containerRequests(c), uniquingKeysWith: max) }
        for (k, v) in pod["spec"]["overhead"].objectValue?.entries ?? [] { if let m = milli(v) { total[k] = total[k, default: 0].saturatingAdd(m) } }
        return total
    }

    /// cpu and memory as the scorer counts them: a pod requesting none counts 100m cpu and
    /// 200Mi memory, as Kubernetes' scheduler does, so empty pods still spread.
    static func nonZeroCPUMemory(_ r: ResourceList) -> (cpu: Int64, memory: Int64) {
        (r["cpu"].flatMap { $0 > 0 ? $0 : nil } ?? 100, r["memory"].flatMap { $0 > 0 ? $0 : nil } ?? 200 * 1_048_576 * 1000)
    }

    static func allocatable(_ node: JSON) -> ResourceList {
        var out: ResourceList = [:]
        for (k, v) in node["status"]["allocatable"].objectValue?.entries ?? [] { if let m = milli(v) { out[k] = m } }
        return out
    }
}
