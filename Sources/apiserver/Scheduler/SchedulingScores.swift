/// Scores for the nodes that passed the filters, each plugin 0...100, summed.
enum SchedulingScores {
    /// LeastAllocated: the share of cpu and memory left free once the pod is there, averaged.
    static func leastAllocated(requests: ResourceList, on info: NodeInfo) -> Int {
        let alloc = info.allocatable
        let pod = PodResources.nonZeroCPUMemory(requests)
        func free(_ used: Int64, _ capacity: Int64) -> Int {
            guard capacity > 0, used <= capacity else { return 0 }
            return Int((capacity - used) * 100 / capacity)
        }
        let cpu = free(info.nonZeroCPU + pod.cpu, alloc["cpu", default: 0])
        let memory = free(info.nonZeroMemory + pod.memory, alloc["memory", default: 0])
        return (cpu + memory) / 2
    }

    /// Every plugin's score per node name: least allocated, spread (fewer pods than the
    /// fullest candidate) and preferred node affinity (normalized to the best match).
    static func scores(pod: JSON, requests: ResourceList, nodes: [NodeInfo]) -> [String: Int] {
        let maxPods = nodes.map(\.podCount).max() ?? 0
        let weights = nodes.map { NodeAffinity.preferredWeight(pod: pod, node: $0.node) }
        let maxWeight = weights.max() ?? 0
        var out: [String: Int] = [:]
        for (i, info) in nodes.enumerated() {
            let spread = maxPods == 0 ? 100 : (maxPods - info.podCount) * 100 / maxPods
            let affinity = maxWeight <= 0 ? 0 : max(0, weights[i]) * 100 / maxWeight
            out[info.name] = leastAllocated(requests: requests, on: info) + spread + affinity
        }
        return out
    }

    /// The highest scored node; a tie is broken by `pick` (at random by default).
    static func best(_ scores: [String: Int], pick: ([String]) -> String? = { $0.randomElement() }) -> String? {
        guard let top = scores.values.max() else { return nil }
        return pick(scores.filter { $0.value == top }.keys.sorted())
    }
}

enum SchedulingDecision: Equatable {
    case node(String)
    case unschedulable(String)
}

enum SchedulingAlgorithm {
    /// Filters then scores `nodes` for `pod`.
    static func schedule(pod: JSON, nodes: [NodeInfo], pick: ([String]) -> String? = { $0.randomElement() }) -> SchedulingDecision {
        schedule(pod: pod, nodes: nodes, from: 0, pick: pick).decision
    }

    /// Filters `nodes` in order from index `start` (wrapping) until `numFeasibleNodesToFind`
    /// nodes fit, then scores those. `processed` is how many nodes were filtered: the next
    /// cycle starts that far on, so every node gets its turn. With no fit every node has
    /// been filtered, so the unschedulable message counts reasons over all of them.
    static func schedule(pod: JSON, nodes: [NodeInfo], from start: Int,
                         pick: ([String]) -> String? = { $0.randomElement() }) -> (decision: SchedulingDecision, processed: Int) {
        let requests = PodResources.requests(pod)
        let wanted = numFeasibleNodesToFind(nodes.count)
        var feasible: [NodeInfo] = [], failures: [[String]] = []
        var processed = 0
        while processed < nodes.count && feasible.count < wanted {
            let n = nodes[(start + processed) % nodes.count]
            processed += 1
            let f = SchedulingFilters.failures(pod: pod, requests: requests, on: n)
            if f.isEmpty { feasible.append(n) } else { failures.append(f) }
        }
        let scores = SchedulingScores.scores(pod: pod, requests: requests, nodes: feasible)
        if let name = SchedulingScores.best(scores, pick: pick) { return (.node(name), processed) }
        return (.unschedulable(SchedulingFilters.unschedulableMessage(nodeCount: nodes.count, failures: failures)), processed)
    }

    /// Kubernetes' `numFeasibleNodesToFind` with the adaptive `percentageOfNodesToScore`:
    /// every node below 100; else 50% less 1% per 125 nodes, at least 5%, and at least 100.
    static func numFeasibleNodesToFind(_ all: Int) -> Int {
        if all < 100 { return all }
        let percentage = max(5, 50 - all / 125)
        return max(100, all * percentage / 100)
    }
}
