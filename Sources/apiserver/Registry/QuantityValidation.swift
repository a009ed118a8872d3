/// Resource quantities as Kubernetes validates them (`resource.ParseQuantity`,
/// `ValidateNonnegativeQuantity`), plus Skiff's bound: every consumer counts quantities as
/// Int64 thousandths (the scheduler) or whole units (the kubelet), so a value whose milli
/// value does not fit in Int64 is refused.
///
/// Quantities are read from the JSON as written (a number's literal, not its double), so
/// the message shows what the client sent.
enum QuantityValidation {
    static let nonNegativeMessage = "must be greater than or equal to 0"
    /// Int64.max thousandths: about 9.2e15 base units (8Pi bytes, 9.2 billion cores).
    static let tooLargeMessage = "must be less than or equal to 9223372036854775807m"

    /// The causes for one quantity at `field`: not a quantity, too large, or (if
    /// `nonNegative`) below zero.
    static func causes(_ value: JSON, at field: String, nonNegative: Bool = true) -> [Status.Cause] {
        guard let text = Quantities.text(value) else {
            return [.invalid(field, value.compactString, Quantities.ParseError.format.message)]
        }
        let v: Double
        switch Quantities.parse(text) {
        case .failure(let e): return [.invalid(field, text, e.message)]
        case .success(let parsed): v = parsed
        }
        if nonNegative && v < 0 { return [.invalid(field, text, nonNegativeMessage)] }
        // 2^63 is the first double past Int64.max.
        if !(abs(v) * 1000 < 9_223_372_036_854_775_808.0) { return [.invalid(field, text, tooLargeMessage)] }
        return []
    }

    /// Every entry of a resource map (`limits`, `overhead`, `capacity`), by resource name.
    static func listCauses(_ list: JSON, at field: String) -> [Status.Cause] {
        (list.objectValue?.entries ?? []).sorted { $0.0 < $1.0 }.flatMap { causes($0.1, at: "\(field)[\($0.0)]") }
    }

    /// A container's `resources`: limits and requests valid, and each request at most its limit.
    static func containerCauses(_ container: JSON, at field: String) -> [Status.Cause] {
        let resources = container["resources"]
        var out = listCauses(resources["limits"], at: "\(field).resources.limits")
        out += listCauses(resources["requests"], at: "\(field).resources.requests")
        let limits = resources["limits"]
        for (name, request) in (resources["requests"].objectValue?.entries ?? []).sorted(by: { $0.0 < $1.0 }) {
            guard let r = Quantities.value(request), let limit = limits[name].isNull ? nil : limits[name],
                  let l = Quantities.value(limit), r > l else { continue }
            out.append(.invalid("\(field).resources.requests", Quantities.text(request) ?? "",
                                "must be less than or equal to \(name) limit of \(Quantities.text(limit) ?? "")"))
        }
        return out
    }

    /// A pod spec's containers, init containers and overhead, fields under `prefix`.
    static func podSpecCauses(_ spec: JSON, at prefix: String = "spec") -> [Status.Cause] {
        var out: [Status.Cause] = []
        for list in ["initContainers", "containers"] {
            for (i, c) in (spec[list].arrayValue ?? []).enumerated() { out += containerCauses(c, at: "\(prefix).\(list)[\(i)]") }
        }
        return out + listCauses(spec["overhead"], at: "\(prefix).overhead")
    }

    /// A node's `status.capacity` and `status.allocatable`, as a kubelet writes them.
    static func nodeStatusCauses(_ node: JSON) -> [Status.Cause] {
        listCauses(node["status"]["capacity"], at: "status.capacity") + listCauses(node["status"]["allocatable"], at: "status.allocatable")
    }

    /// A cause of the rules above (RatchetedValidation lets through on an update those the
    /// stored object already had).
    static func isQuantityCause(_ c: Status.Cause) -> Bool {
        let quantityField = [".resources.limits[", ".resources.requests[", "overhead[", "status.capacity[", "status.allocatable["].contains { c.field.contains($0) }
        let quantityMessage = c.message.hasSuffix(nonNegativeMessage) || c.message.hasSuffix(tooLargeMessage)
            || [Quantities.ParseError.format, .numeric, .suffix].contains { c.message.hasSuffix($0.message) }
        return quantityField && quantityMessage
    }
}
