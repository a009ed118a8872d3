/// `downwardAPI` volumes (Kubernetes' DownwardAPIVolumeSource): files holding pod fields and
/// container resources.
public struct DownwardAPIVolumeSource: Codable, Sendable, Equatable {
    public var items: [DownwardAPIVolumeFile]?
    /// Mode bits for files without their own `mode`; 0644 when unset.
    public var defaultMode: Int32?

    public init(items: [DownwardAPIVolumeFile]? = nil, defaultMode: Int32? = nil) {
        self.items = items
        self.defaultMode = defaultMode
    }
}

/// One file of a `downwardAPI` volume: exactly one of `fieldRef` and `resourceFieldRef`.
public struct DownwardAPIVolumeFile: Codable, Sendable, Equatable {
    /// Relative to the volume; no `..` component.
    public var path: String
    /// metadata.name, metadata.namespace, metadata.uid, metadata.labels, metadata.annotations,
    /// metadata.labels['k'], metadata.annotations['k'].
    public var fieldRef: ObjectFieldSelector?
    /// limits.cpu, limits.memory, limits.ephemeral-storage, requests.* of a named container.
    public var resourceFieldRef: ResourceFieldSelector?
    public var mode: Int32?

    public init(path: String, fieldRef: ObjectFieldSelector? = nil, resourceFieldRef: ResourceFieldSelector? = nil, mode: Int32? = nil) {
        self.path = path
        self.fieldRef = fieldRef
        self.resourceFieldRef = resourceFieldRef
        self.mode = mode
    }
}
