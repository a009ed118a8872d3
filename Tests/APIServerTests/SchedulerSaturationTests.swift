import Testing
@testable import apiserver

/// Quantities too large for Int64 thousandths (stored before validation refused them, or
/// written by a kubelet) saturate in the scheduler instead of trapping: such a pod never
/// fits, such a node simply has room.
@Suite struct SchedulerSaturationTests {
    static let max: Int64 = 9_223_372_036_854_775_807

    @Test func absurdRequestsFillTheNodeWithoutTrapping() {
        #expect(PodResources.milli("1e400") == Self.max)
        #expect(PodResources.milli("10P") == Self.max)
        #expect(PodResources.milli("+inf") == nil)
        let cache = SchedulerCache()
        cache.nodeChanged(schedNode("n1"))
        var huge = schedPod("huge", containers: [["memory": "1Ei", "cpu": "1e400"], ["memory": "10P"]], spec: ["overhead": ["memory": "1Ei"]])
        huge[path: ["spec", "nodeName"]] = "n1"
        cache.podChanged(huge)
        var twin = schedPod("twin", containers: [["memory": "1Ei"]])
        twin[path: ["spec", "nodeName"]] = "n1"
        cache.podChanged(twin)
        let info = cache.nodeInfo("n1")
        #expect(info?.requested == ["cpu": Self.max, "memory": Self.max])
        #expect(info?.nonZeroCPU == 9_223_372_036_854_775_807)
        #expect(info?.nonZeroMemory == 9_223_372_036_854_775_807)
        #expect(cache.scheduleAndAssume(schedPod("a", containers: [["memory": "1Gi"]])) == .unschedulable("0/1 nodes are available: 1 Insufficient memory."))
        cache.podDeleted(twin)
        #expect(cache.nodeInfo("n1")?.podCount == 1)
    }

    @Test func absurdAllocatableScoresWithoutTrapping() {
        let exa = NodeInfo(node: schedNode("exa", memory: "1Ei"))
        #expect(exa.allocatable == ["cpu": 4000, "memory": Self.max, "pods": 110_000])
        // 90Ti in thousandths times 100 overflows Int64: the share comes from doubles.
        // Each: cpu (4000 - 100) * 100 / 4000 = 97, memory 99 (averaged 98), spread 100.
        let big = NodeInfo(node: schedNode("big", memory: "90Ti"))
        let pod = schedPod("a")
        #expect(SchedulingScores.scores(pod: pod, requests: PodResources.requests(pod), nodes: [big, exa]) == ["big": 198, "exa": 198])
        #expect(SchedulingAlgorithm.schedule(pod: schedPod("b", containers: [["memory": "1Ti"]]), nodes: [exa]) == .node("exa"))
    }
}
