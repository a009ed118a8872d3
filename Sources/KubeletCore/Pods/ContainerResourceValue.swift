#if canImport(Glibc)
import Glibc
#endif
import Wire

/// A `resourceFieldRef`'s value, for environment variables and downwardAPI volume files
/// alike (Kubernetes' ExtractContainerResourceValue after the kubelet's
/// MergeContainerResourceLimits): the container's limit or request divided by `divisor`
/// (default 1) and rounded up, cpu in millicores first (as `MilliValue`). An unset limit is
/// the node's allocatable amount (the host's capacity when that is not known); an unset
/// request is the limit when one is set (the API's defaulting), else 0.
enum ContainerResourceValue {
    /// The value as text, or why there is none (Kubernetes' wording where it has one).
    static func of(_ ref: ResourceFieldSelector, container: Container, allocatable: [String: Quantity]) -> Result<String, ContainerConfigError> {
        let parts = ref.resource.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, ["limits", "requests"].contains(parts[0]), ["cpu", "memory", "ephemeral-storage"].contains(parts[1]) else {
            return .failure(ContainerConfigError("unsupported container resource : \(ref.resource)"))
        }
        let resource = parts[1]
        let limit = (container.resources?.limits?[resource]).flatMap { Quantities.value($0.text) }
        let amount: Double
        if parts[0] == "limits" {
            guard let v = limit ?? allocatable[resource].flatMap({ Quantities.value($0.text) }) ?? hostCapacity(resource) else {
                return .failure(ContainerConfigError("no limit and no node allocatable for \(resource)"))
            }
            amount = v
        } else {
            amount = (container.resources?.requests?[resource]).flatMap { Quantities.value($0.text) } ?? limit ?? 0
        }
        // A zero divisor is no divisor (Kubernetes: `divisor.Cmp(zero) == 0` means 1).
        let divisorText = ref.divisor.map(\.text).flatMap { Quantities.value($0) == 0 ? nil : $0 } ?? "1"
        guard let divisor = Quantities.value(divisorText), divisor > 0 else {
            return .failure(ContainerConfigError("invalid divisor \"\(divisorText)\" for \(ref.resource)"))
        }
        // Whole units (millicores for cpu), rounded up as Quantity's Value/MilliValue; the
        // epsilons keep a decimal such as 0.7 (parsed as 0.69999…) from rounding to 701.
        let scale = resource == "cpu" ? 1000.0 : 1.0
        let whole = (amount * scale - 1e-6).rounded(.up)
        let wholeDivisor = max(1, (divisor * scale - 1e-6).rounded(.up))
        return .success(String(Int64(saturating: (whole / wholeDivisor - 1e-9).rounded(.up))))
    }

    /// The host's cores, memory or root file system size.
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
