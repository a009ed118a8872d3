import Wire

/// Where the kubelet reads the ConfigMaps and Secrets its pods reference (env and volumes):
/// one object at a time, as the node authorizer allows. Implemented over a `Client` by the
/// kubelet, and by dictionaries in tests.
public protocol PodObjectSource: Sendable {
    /// nil when absent (404); throws for other errors.
    func configMap(namespace: String, name: String) async throws -> ConfigMap?
    /// nil when absent (404); throws for other errors.
    func secret(namespace: String, name: String) async throws -> Secret?
}
