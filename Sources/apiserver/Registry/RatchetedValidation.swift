/// Checks added after objects were stored (resource quantities, probes and hooks) ratchet,
/// like Kubernetes' ratcheting validation: on an update, a cause of theirs that the stored
/// object already had is let through, so such an object still takes status, label and
/// finalizer writes without being rewritten first. A new bad value is still refused.
enum RatchetedValidation {
    static func isRatcheted(_ c: Status.Cause) -> Bool { QuantityValidation.isQuantityCause(c) || ProbeValidation.isProbeCause(c) }

    /// `causes` of an update without the ratcheted ones `oldCauses` (the stored object's) had.
    static func causes(_ causes: [Status.Cause], oldCauses: @autoclosure () -> [Status.Cause]) -> [Status.Cause] {
        guard causes.contains(where: isRatcheted) else { return causes }
        let old = oldCauses().filter(isRatcheted)
        return causes.filter { !(isRatcheted($0) && old.contains($0)) }
    }
}
