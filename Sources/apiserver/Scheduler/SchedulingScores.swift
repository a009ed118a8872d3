/// Scores for the nodes that passed the filters, each plugin 0...100, summed.
enum SchedulingScores {
    /// LeastAllocated: the share of cpu and memory left free once the pod is there, averaged.
    static func leastAllocated(_ pod: SchedulingPod, on info: NodeInfo) -> Int {
        func free(_ used: Int64, _ capacity: Int64) -> Int {
            guard capacity > 0, used <= capacity else { return 0 }
            let left = capacity.saturatingSubtract(used)
            let (scaled, overflow) = left.multipliedReportingOverflow(by: 100)
            // Above ~92e15 thousandths (90Ti of memory) the product overflows: the share,
            // at most 100, comes from doubles instead.
            return overflow ? Int(Double(left) * 100 / Double(capacity)) : Int(scaled / capacity)
        }
        let cpu = free(info.nonZeroCPU.saturatingAdd(pod.nonZero.cpu), info.allocatable["cpu", default: 0])
        let memory = free(info.nonZeroMemory.saturatingAdd(pod.nonZero.memory), info.allocatable["memory", default: 0])
        return (cpu + memory) / 2
    }

    /// Every plugin's score per node name: least allocated, spread (fewer pods than the
    /// fullest candidate) and preferred node affinity (normalized to the best match).
    static func scores(pod: JSON, requests: ResourceList, nodes: [NodeInfo]) -> [String: Int] {
        let all = scores(SchedulingPod(pod, requests: requests), nodes: nodes, candidates: Array(nodes.indices))
        return Dictionary(uniqueKeysWithValues: zip(nodes.map(\.name), all))
    }

    /// The scores of `nodes[candidates[i]]`, in that order.
    static func scores(_ pod: SchedulingPod, nodes: [NodeInfo], candidates: [Int]) -> [Int] {
        let maxPods = candidates.lazy.map { nodes[$0].podCount }.max() ?? 0
        let weights = pod.preferredTerms.isEmpty ? [] : candidates.map { NodeAffinity.preferredWeight(pod, node: nodes[$0]) }
        let maxWeight = weights.max() ?? 0
        return candidates.enumerated().map { i, n in
            let info = nodes[n]
            let spread = maxPods == 0 ? 100 : (maxPods - info.podCount) * 100 / maxPods
            let affinity = maxWeight <= 0 ? 0 : max(0, weights[i]) * 100 / maxWeight
            return leastAllocated(pod, on: info) + spread + affinity
        }
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
        let p = SchedulingPod(pod)
        let wanted = numFeasibleNodesToFind(nodes.count)
        var feasible: [Int] = [], failures: [[String]] = []
        var processed = 0
        while processed < nodes.count && feasible.count < wanted {
            let n = (start + processed) % nodes.count
            processed += 1
            let f = SchedulingFilters.failures(p, on: nodes[n])
            if f.isEmpty { feasible.append(n) } else { failures.append(f) }
        }
        let scores = SchedulingScores.scores(p, nodes: nodes, candidates: feasible)
        if let top = scores.max(), let name = pick(zip(feasible, scores).filter { $0.1 == top }.map { nodes[$0.0].name }.sorted()) {
            return (.node(name), processed)
        }
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
