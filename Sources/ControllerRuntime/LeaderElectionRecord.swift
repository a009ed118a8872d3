import Wire

/// What a leader writes into its Lease's spec (client-go's `LeaderElectionRecord`). Two
/// records are equal when every field is: candidates time a holder's term from when they
/// last saw its record change, and a renewal always changes `renewTime`.
public struct LeaderElectionRecord: Equatable, Sendable {
    /// Empty when nobody holds the lease (after a release).
    public var holderIdentity: String
    public var leaseDurationSeconds: Int
    public var acquireTime: String?
    public var renewTime: String?
    public var leaseTransitions: Int

    public init(holderIdentity: String, leaseDurationSeconds: Int, acquireTime: String?, renewTime: String?, leaseTransitions: Int) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaseTransitions = leaseTransitions
    }

    /// Reads a Lease's spec; absent fields read as client-go reads them (empty, 0).
    public init(lease: JSON) {
        let spec = lease["spec"]
        self.init(holderIdentity: spec["holderIdentity"].stringValue ?? "", leaseDurationSeconds: spec["leaseDurationSeconds"].intValue ?? 0,
                  acquireTime: spec["acquireTime"].stringValue, renewTime: spec["renewTime"].stringValue,
                  leaseTransitions: spec["leaseTransitions"].intValue ?? 0)
    }

    /// Writes the record's fields into `lease`'s spec, leaving its other fields alone.
    public func write(into lease: inout JSON) {
        lease[path: ["spec", "holderIdentity"]] = .string(holderIdentity)
        lease[path: ["spec", "leaseDurationSeconds"]] = .int(leaseDurationSeconds)
        lease[path: ["spec", "acquireTime"]] = acquireTime.map(JSON.string) ?? .null
        lease[path: ["spec", "renewTime"]] = renewTime.map(JSON.string) ?? .null
        lease[path: ["spec", "leaseTransitions"]] = .int(leaseTransitions)
    }
}
