import Testing
@testable import apiserver

/// A Node as the scheduler reads it: allocatable and a Ready condition.
func schedNode(_ name: String, cpu: String = "4", memory: String = "8Gi", pods: String = "110", labels: JSON = [:],
               taints: [JSON] = [], unschedulable: Bool = false, ready: String = "True") -> JSON {
    var spec: JSON = [:]
    if !taints.isEmpty { spec["taints"] = .array(taints) }
    if unschedulable { spec["unschedulable"] = true }
    return ["apiVersion": "v1", "kind": "Node", "metadata": ["name": .string(name), "labels": labels], "spec": spec,
            "status": ["allocatable": ["cpu": .string(cpu), "memory": .string(memory), "pods": .string(pods)],
                       "conditions": [["type": "Ready", "status": .string(ready)]]]]
}

/// A pod with one container per entry of `containers` (its requests).
func schedPod(_ name: String, containers: [JSON] = [[:]], initContainers: [JSON] = [], spec extra: JSON = [:]) -> JSON {
    var spec: JSON = ["containers": .array(containers.enumerated().map { ["name": .string("c\($0.offset)"), "resources": ["requests": $0.element]] })]
    if !initContainers.isEmpty {
        spec["initContainers"] = .array(initContainers.enumerated().map { ["name": .string("i\($0.offset)"), "resources": ["requests": $0.element]] })
    }
    for (k, v) in extra.objectValue?.entries ?? [] { spec[k] = v }
    return ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name), "namespace": "default"], "spec": spec]
}

func failures(_ pod: JSON, _ node: JSON, bound: [JSON] = []) -> [String] {
    SchedulingFilters.failures(pod: pod, requests: PodResources.requests(pod), on: NodeInfo(node: node, pods: bound))
}

@Suite struct SchedulingAlgorithmTests {
    @Test func taintsAgainstTolerations() {
        let tainted = schedNode("n", taints: [["key": "dedicated", "value": "gpu", "effect": "NoSchedule"]])
        #expect(failures(schedPod("p"), tainted) == ["node(s) had untolerated taint {dedicated: gpu}"])
        let equal = schedPod("p", spec: ["tolerations": [["key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"]]])
        #expect(failures(equal, tainted) == [])
        let wrongValue = schedPod("p", spec: ["tolerations": [["key": "dedicated", "value": "cpu"]]])
        #expect(failures(wrongValue, tainted) == ["node(s) had untolerated taint {dedicated: gpu}"])
        let exists = schedPod("p", spec: ["tolerations": [["operator": "Exists"]]])
        #expect(failures(exists, tainted) == [])
        let otherEffect = schedPod("p", spec: ["tolerations": [["key": "dedicated", "operator": "Exists", "effect": "NoExecute"]]])
        #expect(failures(otherEffect, tainted) == ["node(s) had untolerated taint {dedicated: gpu}"])
        let noExecute = schedNode("n", taints: [["key": "k", "effect": "NoExecute"]])
        #expect(failures(schedPod("p"), noExecute) == ["node(s) had untolerated taint {k: }"])
        let prefer = schedNode("n", taints: [["key": "k", "effect": "PreferNoSchedule"]])
        #expect(failures(schedPod("p"), prefer) == [])
    }

    @Test func cordonedNodeIsTheUnschedulableTaint() {
        let cordoned = schedNode("n", unschedulable: true)
        #expect(failures(schedPod("p"), cordoned) == ["node(s) were unschedulable"])
        let daemon = schedPod("p", spec: ["tolerations": [["key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"]]])
        #expect(failures(daemon, cordoned) == [])
    }

    @Test func notReadyNodeTakesOnlyPodsToleratingIt() {
        #expect(failures(schedPod("p"), schedNode("n", ready: "False")) == ["node(s) had untolerated taint {node.kubernetes.io/not-ready: }"])
        #expect(failures(schedPod("p"), schedNode("n", ready: "Unknown")) == ["node(s) had untolerated taint {node.kubernetes.io/unreachable: }"])
        let tolerant = schedPod("p", spec: ["tolerations": [["key": "node.kubernetes.io/not-ready", "operator": "Exists"]]])
        #expect(failures(tolerant, schedNode("n", ready: "False")) == [])
    }

    @Test func requestsSumContainersMaxInitContainersPlusOverhead() {
        let pod = schedPod("p", containers: [["cpu": "500m", "memory": "1Gi"], ["cpu": "250m"]],
                           initContainers: [["cpu": "1", "memory": "512Mi"], ["cpu": "100m", "memory": "2Gi"]],
                           spec: ["overhead": ["cpu": "100m", "memory": "64Mi"]])
        // cpu max(750m, 1000m) + 100m; memory max(1Gi, 2Gi) + 64Mi.
        #expect(PodResources.requests(pod) == ["cpu": 1100, "memory": 2_214_592_512_000])
        #expect(failures(pod, schedNode("n", cpu: "1100m", memory: "2112Mi")) == [])
        #expect(failures(pod, schedNode("n", cpu: "1", memory: "2Gi")) == ["Insufficient cpu", "Insufficient memory"])
    }

    @Test func boundPodsAndPodCountAndExtendedResources() {
        let used = schedPod("u", containers: [["cpu": "3"]])
        #expect(failures(schedPod("p", containers: [["cpu": "1"]]), schedNode("n"), bound: [used]) == [])
        #expect(failures(schedPod("p", containers: [["cpu": "1001m"]]), schedNode("n"), bound: [used]) == ["Insufficient cpu"])
        #expect(failures(schedPod("p"), schedNode("n", pods: "1"), bound: [used]) == ["Too many pods"])
        #expect(failures(schedPod("p", containers: [["example.com/gpu": "1"]]), schedNode("n")) == ["Insufficient example.com/gpu"])
    }

    @Test func nodeSelectorAndAffinityOperators() {
        let node = schedNode("n1", labels: ["zone": "a", "gen": "5"])
        func affinity(_ term: JSON) -> JSON {
            schedPod("p", spec: ["affinity": ["nodeAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": ["nodeSelectorTerms": [term]]]]])
        }
        func expr(_ key: String, _ op: String, _ values: [JSON] = []) -> JSON {
            ["matchExpressions": [["key": .string(key), "operator": .string(op), "values": .array(values)]]]
        }
        let miss = ["node(s) didn't match Pod's node affinity/selector"]
        #expect(failures(schedPod("p", spec: ["nodeSelector": ["zone": "a"]]), node) == [])
        #expect(failures(schedPod("p", spec: ["nodeSelector": ["zone": "b"]]), node) == miss)
        #expect(failures(affinity(expr("zone", "In", ["a", "b"])), node) == [])
        #expect(failures(affinity(expr("zone", "In", ["b"])), node) == miss)
        #expect(failures(affinity(expr("zone", "NotIn", ["b"])), node) == [])
        #expect(failures(affinity(expr("zone", "NotIn", ["a"])), node) == miss)
        #expect(failures(affinity(expr("zone", "Exists")), node) == [])
        #expect(failures(affinity(expr("disk", "Exists")), node) == miss)
        #expect(failures(affinity(expr("disk", "DoesNotExist")), node) == [])
        #expect(failures(affinity(expr("gen", "Gt", ["4"])), node) == [])
        #expect(failures(affinity(expr("gen", "Gt", ["5"])), node) == miss)
        #expect(failures(affinity(expr("gen", "Lt", ["6"])), node) == [])
        #expect(failures(affinity(expr("zone", "Lt", ["6"])), node) == miss)
        let byName: JSON = ["matchFields": [["key": "metadata.name", "operator": "In", "values": ["n1"]]]]
        #expect(failures(affinity(byName), node) == [])
        #expect(failures(affinity(byName), schedNode("n2")) == miss)
        let notName: JSON = ["matchFields": [["key": "metadata.name", "operator": "NotIn", "values": ["n1"]]]]
        #expect(failures(affinity(notName), node) == miss)
        #expect(failures(affinity([:]), node) == miss)
    }

    @Test func unschedulableMessageForThreeNodes() {
        let pod = schedPod("p", spec: ["nodeSelector": ["zone": "a"]])
        let nodes = [
            NodeInfo(node: schedNode("n1", labels: ["zone": "a"], taints: [["key": "dedicated", "value": "gpu", "effect": "NoSchedule"]])),
            NodeInfo(node: schedNode("n2", labels: ["zone": "b"])),
            NodeInfo(node: schedNode("n3")),
        ]
        #expect(SchedulingAlgorithm.schedule(pod: pod, nodes: nodes) == .unschedulable(
            "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 node(s) didn't match Pod's node affinity/selector."))
        let big = schedPod("p", containers: [["cpu": "8", "memory": "16Gi"]])
        let mixed = [NodeInfo(node: schedNode("n1")), NodeInfo(node: schedNode("n2", cpu: "16")), NodeInfo(node: schedNode("n3", unschedulable: true))]
        #expect(SchedulingAlgorithm.schedule(pod: big, nodes: mixed) == .unschedulable(
            "0/3 nodes are available: 1 Insufficient cpu, 1 node(s) were unschedulable, 2 Insufficient memory."))
        #expect(SchedulingAlgorithm.schedule(pod: big, nodes: []) == .unschedulable("no nodes available to schedule pods"))
    }

    @Test func scoringPrefersFreeNodesFewerPodsAndPreferredAffinity() {
        let pod = schedPod("p", containers: [["cpu": "1", "memory": "1Gi"]])
        let busy = NodeInfo(node: schedNode("busy"), pods: [schedPod("u", containers: [["cpu": "2", "memory": "4Gi"]])])
        let idle = NodeInfo(node: schedNode("idle"))
        // idle: cpu (4-1)/4 = 75, memory (8-1)/8 = 87 -> 81; spread 100.
        // busy: cpu (4-3)/4 = 25, memory (8-5)/8 = 37 -> 31; spread 0.
        #expect(SchedulingScores.scores(pod: pod, requests: PodResources.requests(pod), nodes: [busy, idle]) == ["busy": 31, "idle": 181])
        #expect(SchedulingAlgorithm.schedule(pod: pod, nodes: [busy, idle]) == .node("idle"))

        let preferring = schedPod("p", spec: ["affinity": ["nodeAffinity": ["preferredDuringSchedulingIgnoredDuringExecution": [
            ["weight": 10, "preference": ["matchExpressions": [["key": "disk", "operator": "In", "values": ["ssd"]]]]],
            ["weight": 30, "preference": ["matchExpressions": [["key": "zone", "operator": "In", "values": ["a"]]]]],
        ]]]])
        let ssd = NodeInfo(node: schedNode("ssd", labels: ["disk": "ssd"]))
        let zoneA = NodeInfo(node: schedNode("zone-a", labels: ["zone": "a"]))
        let plain = NodeInfo(node: schedNode("plain"))
        let scores = SchedulingScores.scores(pod: preferring, requests: PodResources.requests(preferring), nodes: [ssd, zoneA, plain])
        // Empty pod counts 100m / 200Mi: cpu 97, memory 97; spread 100; affinity 10/30, 30/30, 0.
        #expect(scores == ["ssd": 230, "zone-a": 297, "plain": 197])
        // A tie goes to whichever `pick` chooses among the tied names.
        #expect(SchedulingScores.best(["a": 5, "b": 5, "c": 1], pick: { $0.last }) == "b")
        #expect(SchedulingScores.best(["a": 5, "b": 5, "c": 1], pick: { $0.first }) == "a")
    }
}
