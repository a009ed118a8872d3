#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Wire

/// The values `downwardAPI` volumes expose: pod fields and container resources.
enum DownwardAPIFiles {
    /// The text of a fieldRef file, as Kubernetes writes it.
    static func field(_ fieldPath: String, of pod: Pod) -> Result<String, VolumeFieldError> {
        let meta = pod.metadata
        switch fieldPath {
        case "metadata.name": return .success(meta.name ?? "")
        case "metadata.namespace": return .success(meta.namespace ?? "")
        case "metadata.uid": return .success(meta.uid ?? "")
        case "metadata.labels": return .success(formatMap(meta.labels ?? [:]))
        case "metadata.annotations": return .success(formatMap(meta.annotations ?? [:]))
        default:
            for (prefix, map) in [("metadata.labels", meta.labels), ("metadata.annotations", meta.annotations)] {
                if let key = subscriptKey(fieldPath, prefix: prefix) { return .success(map?[key] ?? "") }
            }
            return .failure(VolumeFieldError("unsupported fieldPath \"\(fieldPath)\""))
        }
    }

    /// `metadata.labels['k']` → k.
    static func subscriptKey(_ path: String, prefix: String) -> String? {
        guard path.hasPrefix(prefix + "['"), path.hasSuffix("']") else { return nil }
        let key = path.dropFirst(prefix.count + 2).dropLast(2)
        return key.isEmpty ? nil : String(key)
    }

    /// Kubernetes' fieldpath.FormatMap: `key="value"` lines, keys sorted, values Go-quoted.
    static func formatMap(_ map: [String: String]) -> String {
        map.keys.sorted().map { "\($0)=\(GoQuote.quote(map[$0]!))" }.joined(separator: "\n")
    }

    /// A resourceFieldRef's value (`ContainerResourceValue`); a volume item must name its container.
    static func resource(_ selector: ResourceFieldSelector, pod: Pod, nodeAllocatable: [String: Quantity]) -> Result<String, VolumeFieldError> {
        guard let name = selector.containerName, !name.isEmpty else {
            return .failure(VolumeFieldError("resourceFieldRef of \"\(selector.resource)\" needs a containerName"))
        }
        let containers = (pod.spec?.containers ?? []) + (pod.spec?.initContainers ?? [])
        guard let container = containers.first(where: { $0.name == name }) else {
            return .failure(VolumeFieldError("container \"\(name)\" not found in the pod"))
        }
        return ContainerResourceValue.of(selector, container: container, allocatable: nodeAllocatable).mapError { VolumeFieldError($0.message) }
    }
}

struct VolumeFieldError: Error, Equatable {
    var message: String
    init(_ message: String) { self.message = message }
}
