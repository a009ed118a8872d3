/// kubectl's pod orders (k8s.io/kubectl/pkg/util/podutils) for picking one pod of many.
enum PodOrder {
    typealias Less = (JSON, JSON) -> Bool

    /// Sorts as Go's sort.Sort does for the few pods a workload has (an insertion sort up
    /// to 12 elements, so ties keep the list's order); stable beyond that too.
    static func sorted(_ pods: [JSON], _ less: Less) -> [JSON] {
        var a = pods
        for i in a.indices.dropFirst() {
            var j = i
            while j > 0 && less(a[j], a[j - 1]) {
                a.swapAt(j, j - 1)
                j -= 1
            }
        }
        return a
    }

    /// podutils.ByLogging: the pod most worth reading first.
    static func byLogging(_ a: JSON, _ b: JSON) -> Bool {
        let (na, nb) = (nodeName(a), nodeName(b))
        // 1. assigned before unassigned
        if na != nb && (na.isEmpty || nb.isEmpty) { return !na.isEmpty }
        // 2. Running < Unknown < Pending (other phases rank with Running: Go's map zero value)
        let rank = ["Running": 0, "Unknown": 1, "Pending": 2]
        let (ra, rb) = (rank[phase(a)] ?? 0, rank[phase(b)] ?? 0)
        if ra != rb { return ra < rb }
        // 3. ready before not ready
        let (readyA, readyB) = (isReady(a), isReady(b))
        if readyA != readyB { return readyA }
        // 4. ready for longer before ready for less (an unknown time last)
        if readyA && readyB && readyTime(a) != readyTime(b) { return afterOrZero(readyTime(b), readyTime(a)) }
        // 5. more restarts before fewer
        if maxRestarts(a) != maxRestarts(b) { return maxRestarts(a) > maxRestarts(b) }
        // 6. older before newer (no timestamp last)
        if created(a) != created(b) { return afterOrZero(created(b), created(a)) }
        return false
    }

    /// podutils.ActivePods: the pod a controller would delete first.
    static func active(_ a: JSON, _ b: JSON) -> Bool {
        let (na, nb) = (nodeName(a), nodeName(b))
        // 1. unassigned before assigned
        if na != nb && (na.isEmpty || nb.isEmpty) { return na.isEmpty }
        // 2. Pending < Unknown < Running (other phases rank with Pending)
        let rank = ["Pending": 0, "Unknown": 1, "Running": 2]
        let (ra, rb) = (rank[phase(a)] ?? 0, rank[phase(b)] ?? 0)
        if ra != rb { return ra < rb }
        // 3. not ready before ready
        let (readyA, readyB) = (isReady(a), isReady(b))
        if readyA != readyB { return !readyA }
        // 4. ready for less time before more (an unknown time first)
        if readyA && readyB && readyTime(a) != readyTime(b) { return afterOrZero(readyTime(a), readyTime(b)) }
        // 5. more restarts before fewer
        if maxRestarts(a) != maxRestarts(b) { return maxRestarts(a) > maxRestarts(b) }
        // 6. newer before older (no timestamp first)
        if created(a) != created(b) { return afterOrZero(created(a), created(b)) }
        return false
    }

    /// sort.Reverse(ActivePods): exec's choice, the most active pod first.
    static func reverseActive(_ a: JSON, _ b: JSON) -> Bool { active(b, a) }

    private static func nodeName(_ p: JSON) -> String { p["spec"]["nodeName"].stringValue ?? "" }
    private static func phase(_ p: JSON) -> String { p["status"]["phase"].stringValue ?? "" }

    private static func readyCondition(_ p: JSON) -> JSON? {
        (p["status"]["conditions"].arrayValue ?? []).first { $0["type"] == "Ready" }
    }

    static func isReady(_ p: JSON) -> Bool { readyCondition(p)?["status"] == "True" }

    /// When the pod became ready; nil (Go's zero time) when it is not or the time is unknown.
    private static func readyTime(_ p: JSON) -> Double? {
        guard let c = readyCondition(p), c["status"] == "True" else { return nil }
        return c["lastTransitionTime"].stringValue.flatMap(Timestamp.parse)
    }

    private static func created(_ p: JSON) -> Double? { p["metadata"]["creationTimestamp"].stringValue.flatMap(Timestamp.parse) }

    private static func maxRestarts(_ p: JSON) -> Int {
        (p["status"]["containerStatuses"].arrayValue ?? []).map { $0["restartCount"].intValue ?? 0 }.max() ?? 0
    }

    /// podutils.afterOrZero: t1 is after t2, a zero (unknown) time counting as the latest.
    private static func afterOrZero(_ t1: Double?, _ t2: Double?) -> Bool {
        guard let t1, let t2 else { return t1 == nil }
        return t1 > t2
    }
}
