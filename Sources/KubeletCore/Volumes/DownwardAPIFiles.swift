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

    /// A resourceFieldRef's value: the container's limit or request divided by `divisor`
    /// (default 1) and rounded up, as Kubernetes' ExtractContainerResourceValue. An unset limit
    /// is the node's allocatable amount; an unset request is 0.
    static func resource(_ selector: ResourceFieldSelector, pod: Pod, nodeAllocatable: [String: Quantity]) -> Result<String, VolumeFieldError> {
        guard let name = selector.containerName, !name.isEmpty else {
            return .failure(VolumeFieldError("resourceFieldRef of \"\(selector.resource)\" needs a containerName"))
        }
        let containers = (pod.spec?.containers ?? []) + (pod.spec?.initContainers ?? [])
        guard let container = containers.first(where: { $0.name == name }) else {
            return .failure(VolumeFieldError("container \"\(name)\" not found in the pod"))
        }
        let parts = selector.resource.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, ["limits", "requests"].contains(parts[0]), ["cpu", "memory", "ephemeral-storage"].contains(parts[1]) else {
            return .failure(VolumeFieldError("unsupported container resource: \(selector.resource)"))
        }
        let resources = container.resources
        var amount: Double
        if parts[0] == "limits" {
            guard let v = (resources?.limits?[parts[1]] ?? nodeAllocatable[parts[1]]).flatMap({ Quantities.value($0.text) }) ?? hostCapacity(parts[1]) else {
                return .failure(VolumeFieldError("no limit and no node allocatable for \(parts[1])"))
            }
            amount = v
        } else {
            amount = resources?.requests?[parts[1]].flatMap { Quantities.value($0.text) } ?? 0
        }
        let divisorText = selector.divisor?.text ?? "1"
        guard let divisor = Quantities.value(divisorText), divisor > 0 else {
            return .failure(VolumeFieldError("invalid divisor \"\(divisorText)\""))
        }
        if parts[1] == "cpu" {
            // In millicores, as Kubernetes' MilliValue (which rounds up).
            amount = (amount * 1000 - 1e-6).rounded(.up)
            let milliDivisor = max(1, (divisor * 1000 - 1e-6).rounded(.up))
            return .success(String(Int64((amount / milliDivisor - 1e-9).rounded(.up))))
        }
        amount = (amount - 1e-6).rounded(.up)
        return .success(String(Int64((amount / divisor - 1e-9).rounded(.up))))
    }

    /// The host's cores, memory or root file system size, for limits the pod leaves unset when
    /// the node's allocatable is not known.
    static func hostCapacity(_ resource: String) -> Double? {
        switch resource {
        case "cpu": return Double(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        case "memory": return Double(sysconf(Int32(_SC_PHYS_PAGES))) * Double(sysconf(Int32(_SC_PAGESIZE)))
        default:
            var fs = statvfs()
            guard statvfs("/", &fs) == 0 else { return nil }
            return Double(fs.f_blocks) * Double(fs.f_frsize)
        }
    }
}

struct VolumeFieldError: Error, Equatable {
    var message: String
    init(_ message: String) { self.message = message }
}
