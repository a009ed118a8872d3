import Testing
@testable import apiserver

/// The scheduler's cache (node infos kept from events, assumed pods) and how many nodes a
/// cycle filters (Kubernetes' adaptive percentageOfNodesToScore).
@Suite struct SchedulerCacheTests {
    func bound(_ pod: JSON, to node: String, phase: String? = nil) -> JSON {
        var p = pod
        p[path: ["spec", "nodeName"]] = .string(node)
        if let phase { p[path: ["status", "phase"]] = .string(phase) }
        return p
    }

    func usage(_ cache: SchedulerCache, _ node: String) -> JSON {
        guard let i = cache.nodeInfo(node) else { return .null }
        let requested = JSON.object(JSONObject(i.requested.sorted { $0.key < $1.key }.map { ($0.key, JSON.int(Int($0.value))) }))
        return ["requested": requested, "nonZeroCPU": .int(Int(i.nonZeroCPU)), "nonZeroMemory": .int(Int(i.nonZeroMemory)),
                "pods": .int(i.podCount)]
    }

    /// A late bind failure of a deleted pod leaves the assumption of a new pod of the same
    /// name (another uid) counted.
    @Test func forgettingAnOldUIDKeepsTheNewPodsAssumption() {
        let cache = SchedulerCache()
        cache.nodeChanged(schedNode("n1"))
        var old = schedPod("a", containers: [["cpu": "1"]])
        old[path: ["metadata", "uid"]] = "u1"
        var new = old
        new[path: ["metadata", "uid"]] = "u2"
        cache.assume(old, on: "n1")
        cache.assume(new, on: "n1")
        cache.forget("default/a", uid: "u1")
        #expect(cache.isAssumed("default/a"))
        #expect(usage(cache, "n1") == ["requested": ["cpu": 1000], "nonZeroCPU": 1000, "nonZeroMemory": 209_715_200_000, "pods": 1])
        cache.forget("default/a", uid: "u2")
        #expect(!cache.isAssumed("default/a"))
    }

    @Test func nodeInfosFollowPodAndNodeEvents() {
        let cache = SchedulerCache()
        cache.nodeChanged(schedNode("n1"))
        let a = schedPod("a", containers: [["cpu": "1", "memory": "1Gi"]])
        let b = schedPod("b")
        // Unbound pods take nothing.
        cache.podChanged(a)
        #expect(usage(cache, "n1") == ["requested": [:], "nonZeroCPU": 0, "nonZeroMemory": 0, "pods": 0])
        // Assumed: counted at once.
        cache.assume(a, on: "n1")
        #expect(cache.isAssumed("default/a"))
        #expect(usage(cache, "n1") == ["requested": ["cpu": 1000, "memory": 1_073_741_824_000], "nonZeroCPU": 1000,
                                       "nonZeroMemory": 1_073_741_824_000, "pods": 1])
        // The informer still shows it unbound (bind in flight): stays assumed.
        cache.podChanged(a)
        #expect(cache.isAssumed("default/a"))
        // The informer shows it bound: confirmed, counted once; forgetting it now does nothing.
        cache.podChanged(bound(a, to: "n1"))
        #expect(cache.countedPod("default/a") == SchedulerCache.CountedPod(node: "n1", requests: ["cpu": 1000, "memory": 1_073_741_824_000], assumed: false))
        cache.forget("default/a", uid: "")
        // b requests nothing: 100m and 200Mi for the scorer.
        cache.podChanged(bound(b, to: "n1"))
        #expect(usage(cache, "n1") == ["requested": ["cpu": 1000, "memory": 1_073_741_824_000], "nonZeroCPU": 1100,
                                       "nonZeroMemory": 1_283_457_024_000, "pods": 2])
        cache.podDeleted(bound(a, to: "n1"))
        #expect(usage(cache, "n1") == ["requested": [:], "nonZeroCPU": 100, "nonZeroMemory": 209_715_200_000, "pods": 1])
        // A node update keeps what its pods take.
        cache.nodeChanged(schedNode("n1", cpu: "8", labels: ["zone": "a"]))
        #expect(cache.nodeInfo("n1")?.allocatable == ["cpu": 8000, "memory": 8_589_934_592_000, "pods": 110_000])
        #expect(cache.nodeInfo("n1")?.node["metadata"]["labels"] == ["zone": "a"])
        #expect(usage(cache, "n1") == ["requested": [:], "nonZeroCPU": 100, "nonZeroMemory": 209_715_200_000, "pods": 1])
        // A finished pod frees its room.
        cache.podChanged(bound(b, to: "n1", phase: "Succeeded"))
        #expect(usage(cache, "n1") == ["requested": [:], "nonZeroCPU": 0, "nonZeroMemory": 0, "pods": 0])
        // A forgotten (bind failed) assumed pod frees its room.
        cache.assume(a, on: "n1")
        cache.forget("default/a", uid: "")
        #expect(cache.countedPod("default/a") == nil)
        #expect(usage(cache, "n1") == ["requested": [:], "nonZeroCPU": 0, "nonZeroMemory": 0, "pods": 0])
        // Pods on a node that goes away are counted again when it comes back.
        cache.podChanged(bound(a, to: "n1"))
        cache.nodeDeleted("n1")
        #expect(cache.nodeInfo("n1") == nil)
        cache.nodeChanged(schedNode("n1"))
        #expect(usage(cache, "n1") == ["requested": ["cpu": 1000, "memory": 1_073_741_824_000], "nonZeroCPU": 1000,
                                       "nonZeroMemory": 1_073_741_824_000, "pods": 1])
    }

    @Test func twoPodsThatOverflowANodeAreNotBothPlacedThere() {
        let cache = SchedulerCache()
        cache.nodeChanged(schedNode("n1", cpu: "4"))
        #expect(cache.scheduleAndAssume(schedPod("a", containers: [["cpu": "3"]])) == .node("n1"))
        // No informer event in between: a is assumed.
        #expect(cache.scheduleAndAssume(schedPod("b", containers: [["cpu": "3"]])) == .unschedulable("0/1 nodes are available: 1 Insufficient cpu."))
        cache.forget("default/a", uid: "")
        #expect(cache.scheduleAndAssume(schedPod("b", containers: [["cpu": "3"]])) == .node("n1"))
    }

    @Test func numFeasibleNodesToFindIsKubernetesAdaptivePercentage() {
        let counts = [0, 1, 50, 99, 100, 200, 250, 1000, 3000, 5000, 6000, 10000].map(SchedulingAlgorithm.numFeasibleNodesToFind)
        #expect(counts == [0, 1, 50, 99, 100, 100, 120, 420, 780, 500, 300, 500])
    }

    @Test func filteringStopsAtEnoughFeasibleNodesAndGoesRoundRobin() {
        let nodes = (0..<250).map { NodeInfo(node: schedNode("n\(1000 + $0)")) }
        var candidates: [String] = []
        let pick: ([String]) -> String? = { candidates = $0; return $0.first }
        let first = SchedulingAlgorithm.schedule(pod: schedPod("p"), nodes: nodes, from: 0, pick: pick)
        #expect(first.decision == .node("n1000"))
        #expect(first.processed == 120)
        #expect([candidates.count, candidates.first, candidates.last] as [AnyHashable?] == [120, "n1000", "n1119"])
        // From 200: n1200...n1249 then n1000...n1069.
        let wrapped = SchedulingAlgorithm.schedule(pod: schedPod("p"), nodes: nodes, from: 200, pick: pick)
        #expect(wrapped.processed == 120)
        #expect(candidates.count == 120 && candidates.contains("n1249") && candidates.contains("n1069") && !candidates.contains("n1070")
                && !candidates.contains("n1199"))
        // No fit: every node is filtered, so the message counts them all.
        let big = SchedulingAlgorithm.schedule(pod: schedPod("big", containers: [["cpu": "5"]]), nodes: nodes, from: 7)
        #expect(big.processed == 250)
        #expect(big.decision == .unschedulable("0/250 nodes are available: 250 Insufficient cpu."))
    }

    @Test func assumedPodsFillEveryNodeBeforeOneIsFoundFull() {
        let cache = SchedulerCache()
        for i in 0..<250 { cache.nodeChanged(schedNode("n\(1000 + i)", pods: "1")) }
        // Each node takes one pod, and each cycle filters only until 120 fit: the 250 pods
        // still find the 250 nodes, and the 251st none.
        var placed: Set<String> = []
        for i in 0..<250 { if case .node(let n) = cache.scheduleAndAssume(schedPod("p\(i)")) { placed.insert(n) } }
        #expect(placed.count == 250)
        #expect(cache.scheduleAndAssume(schedPod("last")) == .unschedulable("0/250 nodes are available: 250 Too many pods."))
    }
}
