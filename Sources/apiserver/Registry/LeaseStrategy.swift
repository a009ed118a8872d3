struct LeaseStrategy: ResourceStrategy {
    typealias Typed = Lease
    let type = ResourceType.leases

    func validate(_ lease: JSON) -> [Status.Cause] {
        if let d = lease["spec"]["leaseDurationSeconds"].intValue, d <= 0 {
            return [.invalid("spec.leaseDurationSeconds", int: d, "must be greater than 0")]
        }
        return []
    }
}
