import Wire

/// `controller.kubernetes.io/pod-deletion-cost`: a pod's cost of being deleted when its
/// ReplicaSet scales down (lower goes first). Kubernetes' rules (`validFirstDigit`, then
/// ParseInt): a 32-bit decimal integer whose first character is `-`, a digit 1-9, or the
/// whole value "0" (so `+1` and `007` are refused, `-007` is -7); the apiserver refuses
/// anything else on pods and pod templates, and a value that does not parse counts as 0.
enum PodDeletionCost {
    static let annotation = "controller.kubernetes.io/pod-deletion-cost"

    /// The value, or nil when it is not one Kubernetes accepts.
    static func parse(_ text: String) -> Int32? {
        guard let first = text.first, first == "-" || ("1"..."9").contains(first) || text == "0" else { return nil }
        guard text.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int32(text)
    }

    /// The pod's cost (0 when unset or invalid, as Kubernetes reads it).
    static func of(_ pod: JSON) -> Int32 {
        pod["metadata"]["annotations"][annotation].stringValue.flatMap(parse) ?? 0
    }

    /// The apiserver's check (Kubernetes' ValidatePodSpecificAnnotations).
    static func causes(_ pod: JSON) -> [Status.Cause] {
        guard let value = pod["metadata"]["annotations"][annotation].stringValue, parse(value) == nil else { return [] }
        return [.invalid("metadata.annotations[\(annotation)]", value, "must be a 32bit integer")]
    }
}
