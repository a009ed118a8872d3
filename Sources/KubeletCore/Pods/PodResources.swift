import Wire

/// A pod's resource requests as the kubelet's admission and the scheduler count them.
public enum PodResources {
    /// Requests in whole units: cpu in millicores, memory in bytes (rounded up, as
    /// Kubernetes' `MilliValue`/`Value`): the sum over containers, at least the largest init
    /// container's, plus `spec.overhead`.
    public static func requests(_ spec: PodSpec) -> (milliCPU: Int64, memory: Int64) {
        func amounts(_ c: Container) -> (Int64, Int64) {
            (milli(c.resources?.requests?["cpu"]), whole(c.resources?.requests?["memory"]))
        }
        var cpu: Int64 = 0, mem: Int64 = 0
        // Sums saturate: an absurd request (stored before the apiserver refused it) never fits.
        for c in spec.containers ?? [] {
            let (a, b) = amounts(c)
            cpu = cpu.saturatingAdd(a)
            mem = mem.saturatingAdd(b)
        }
        for c in spec.initContainers ?? [] {
            let (a, b) = amounts(c)
            cpu = max(cpu, a)
            mem = max(mem, b)
        }
        cpu = cpu.saturatingAdd(milli(spec.overhead?["cpu"]))
        mem = mem.saturatingAdd(whole(spec.overhead?["memory"]))
        return (cpu, mem)
    }

    static func milli(_ q: Quantity?) -> Int64 {
        guard let q, let v = Quantities.value(q.text) else { return 0 }
        return Int64(saturating: (v * 1000).rounded(.up))
    }

    static func whole(_ q: Quantity?) -> Int64 {
        guard let q, let v = Quantities.value(q.text) else { return 0 }
        return Int64(saturating: v.rounded(.up))
    }
}

/// Why the kubelet refused a pod that arrived bound to it (Kubernetes' predicate admit
/// handler): the status reason (`OutOfcpu`, ...) and the failure's text.
public struct AdmissionRejection: Sendable, Equatable {
    public var reason: String
    /// `Node didn't have enough resource: cpu, requested: 3000, used: 0, capacity: 2000`.
    public var message: String
    /// What the pod's status message says: "Pod was rejected: " + message.
    public var statusMessage: String { "Pod was rejected: " + message }
}

/// The node's room for pods: allocatable cpu (millicores), memory (bytes) and pod count.
public struct NodeAllocatable: Sendable, Equatable {
    public var milliCPU: Int64
    public var memory: Int64
    public var pods: Int

    public init(milliCPU: Int64, memory: Int64, pods: Int) {
        self.milliCPU = milliCPU
        self.memory = memory
        self.pods = pods
    }

    /// From a Node's `allocatable` map (`cpu`, `memory`), with the pod count given.
    public init(_ allocatable: [String: Quantity], pods: Int) {
        self.init(milliCPU: PodResources.milli(allocatable["cpu"]), memory: PodResources.whole(allocatable["memory"]), pods: pods)
    }

    /// nil when `pod` fits beside `admitted` (the pods this kubelet already runs); else the
    /// first failure in Kubernetes' order: pod count, cpu, memory.
    public func admit(_ pod: PodSpec, besides admitted: [PodSpec]) -> AdmissionRejection? {
        func reject(_ resource: String, _ requested: Int64, _ used: Int64, _ capacity: Int64) -> AdmissionRejection {
            AdmissionRejection(reason: "OutOf\(resource)",
                               message: "Node didn't have enough resource: \(resource), requested: \(requested), used: \(used), capacity: \(capacity)")
        }
        if admitted.count + 1 > pods { return reject("pods", 1, Int64(admitted.count), Int64(pods)) }
        let want = PodResources.requests(pod)
        var usedCPU: Int64 = 0, usedMemory: Int64 = 0
        for p in admitted {
            let r = PodResources.requests(p)
            usedCPU = usedCPU.saturatingAdd(r.milliCPU)
            usedMemory = usedMemory.saturatingAdd(r.memory)
        }
        if want.milliCPU > 0, usedCPU.saturatingAdd(want.milliCPU) > milliCPU { return reject("cpu", want.milliCPU, usedCPU, milliCPU) }
        if want.memory > 0, usedMemory.saturatingAdd(want.memory) > memory { return reject("memory", want.memory, usedMemory, memory) }
        return nil
    }
}
