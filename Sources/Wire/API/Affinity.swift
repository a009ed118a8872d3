/// `spec.affinity`: node affinity and pod (anti-)affinity.
public struct Affinity: Codable, Sendable, Equatable {
    public var nodeAffinity: NodeAffinity?
    public var podAffinity: PodAffinity?
    public var podAntiAffinity: PodAffinity?
}

public struct NodeAffinity: Codable, Sendable, Equatable {
    public var requiredDuringSchedulingIgnoredDuringExecution: NodeSelector?
    public var preferredDuringSchedulingIgnoredDuringExecution: [PreferredSchedulingTerm]?
}

public struct NodeSelector: Codable, Sendable, Equatable {
    public var nodeSelectorTerms: [NodeSelectorTerm]
}

public struct NodeSelectorTerm: Codable, Sendable, Equatable {
    public var matchExpressions: [NodeSelectorRequirement]?
    public var matchFields: [NodeSelectorRequirement]?
}

public struct NodeSelectorRequirement: Codable, Sendable, Equatable {
    public var key: String
    public var `operator`: String
    public var values: [String]?
}

public struct PreferredSchedulingTerm: Codable, Sendable, Equatable {
    public var weight: Int32
    public var preference: NodeSelectorTerm
}

/// Used for both `podAffinity` and `podAntiAffinity`.
public struct PodAffinity: Codable, Sendable, Equatable {
    public var requiredDuringSchedulingIgnoredDuringExecution: [PodAffinityTerm]?
    public var preferredDuringSchedulingIgnoredDuringExecution: [WeightedPodAffinityTerm]?
}

public struct PodAffinityTerm: Codable, Sendable, Equatable {
    public var labelSelector: LabelSelectorSpec?
    public var namespaceSelector: LabelSelectorSpec?
    public var namespaces: [String]?
    public var topologyKey: String
}

public struct WeightedPodAffinityTerm: Codable, Sendable, Equatable {
    public var weight: Int32
    public var podAffinityTerm: PodAffinityTerm
}
