struct LeaseStrategy: ResourceStrategy {
    typealias Typed = Lease
    let type = ResourceType.leases

    func validate(_ lease: JSON, typed: Lease) -> [Status.Cause] {
        if let d = typed.spec?.leaseDurationSeconds, d <= 0 {
            return [.invalid("spec.leaseDurationSeconds", String(d), "must be greater than 0")]
        }
        return []
    }
}
