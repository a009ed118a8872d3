/// The pods a DaemonSet makes, and how it tells its current template's pods from older ones.
///
/// As Kubernetes, daemon pods are labelled `controller-revision-hash` (the hash label of the
/// current ControllerRevision, DaemonSetHistory.swift) and the deprecated
/// `pod-template-generation`: the DaemonSet's template generation (the annotation
/// `deprecated.daemonset.template.generation`, which only a template change raises). A pod
/// is up to date when either label matches (Kubernetes' `IsPodUpdated`).
enum DaemonPods {
    static let revisionHashLabel = "controller-revision-hash"
    static let templateGenerationLabel = "pod-template-generation"

    /// Kubernetes' `CreatePodTemplate`: the template with the two labels and the automatic
    /// tolerations.
    static func template(of ds: JSON, hash: String) -> JSON {
        var t = ds["spec"]["template"]
        if let g = templateGeneration(ds) {
            t[path: ["metadata", "labels", templateGenerationLabel]] = .string(String(g))
        }
        t[path: ["metadata", "labels", revisionHashLabel]] = .string(hash)
        t[path: ["spec", "tolerations"]] = .array(DaemonPlacement.withDaemonTolerations(t["spec"]))
        return t
    }

    /// The pod for one node: the template's, pinned to the node by required node affinity
    /// (the scheduler binds it, as in Kubernetes).
    static func pod(from template: JSON, owner ds: JSON, node: String) -> JSON {
        var pod = PodTemplates.pod(from: template, owner: ds, .daemonSets)
        pod[path: ["spec", "affinity"]] = DaemonPlacement.affinityPinned(to: node, template["spec"]["affinity"])
        return pod
    }

    /// The template generation the server keeps in the DaemonSet's annotation.
    static func templateGeneration(_ ds: JSON) -> Int? {
        Int(ds["metadata"]["annotations"][DaemonSetStrategy.templateGenerationAnnotation].stringValue ?? "")
    }

    /// Kubernetes' `IsPodUpdated`: the hash or the generation label matches.
    static func isUpdated(_ pod: JSON, hash: String, generation: Int?) -> Bool {
        let labels = pod["metadata"]["labels"]
        if !hash.isEmpty && labels[revisionHashLabel].stringValue == hash { return true }
        return generation.map { labels[templateGenerationLabel].stringValue == String($0) } ?? false
    }

    /// Oldest first, and among pods created the same second the one further along
    /// (Running, then Pending, then the rest), as `podByCreationTimestampAndPhase`.
    static func oldestFirst(_ a: JSON, _ b: JSON) -> Bool {
        let ta = a["metadata"]["creationTimestamp"].stringValue ?? "", tb = b["metadata"]["creationTimestamp"].stringValue ?? ""
        if ta != tb { return ta < tb }
        func rank(_ p: JSON) -> Int { ["Running": 0, "Pending": 1][PodState.phase(p)] ?? 2 }
        if rank(a) != rank(b) { return rank(a) < rank(b) }
        return (a["metadata"]["name"].stringValue ?? "") < (b["metadata"]["name"].stringValue ?? "")
    }
}
