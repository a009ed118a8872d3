import Wire

/// The numbers a Deployment's strategy resolves to (Kubernetes' `ResolveFenceposts`,
/// `MaxSurge`, `MaxUnavailable`): pure, so the arithmetic is tested without a server.
struct RolloutParams: Equatable, Sendable {
    /// `spec.replicas`.
    var replicas: Int
    /// RollingUpdate (true) or Recreate.
    var rolling: Bool
    /// Resolved `maxSurge` (0 for Recreate).
    var maxSurge: Int
    /// Resolved `maxUnavailable`, at most `replicas` (0 for Recreate or 0 replicas).
    var maxUnavailable: Int
    /// `status.replicas`: the size proportional scaling assumes when a ReplicaSet has no
    /// `max-replicas` annotation.
    var statusReplicas: Int

    /// `replicas + maxSurge`, the most pods a rollout may have (Kubernetes'
    /// `MaxSurge`-based bound). `of` keeps both within 32 bits; saturating anyway, so no
    /// caller's values can trap the controller.
    var maxTotal: Int {
        let (sum, overflow) = replicas.addingReportingOverflow(maxSurge)
        return overflow ? (maxSurge > 0 ? Int.max : Int.min) : sum
    }

    init(replicas: Int, rolling: Bool, maxSurge: Int = 0, maxUnavailable: Int = 0, statusReplicas: Int = 0) {
        self.replicas = replicas
        self.rolling = rolling
        self.maxSurge = maxSurge
        self.maxUnavailable = maxUnavailable
        self.statusReplicas = statusReplicas
    }

    /// From a (defaulted) Deployment; nil with a message when maxSurge or maxUnavailable is
    /// neither an integer nor a percentage, or a number is outside 32 bits (an object
    /// stored before validation refused it: the arithmetic on it could overflow).
    static func of(_ d: JSON) -> Result<RolloutParams, RolloutMath.BadValue> {
        let replicas = d["spec"]["replicas"].intValue ?? 1
        if Int32(exactly: replicas) == nil { return .failure(RolloutMath.BadValue(message: "spec.replicas: \(replicas) is not a 32-bit integer")) }
        let statusReplicas = d["status"]["replicas"].intValue ?? 0
        guard d["spec"]["strategy"]["type"].stringValue != "Recreate" else {
            return .success(RolloutParams(replicas: replicas, rolling: false, statusReplicas: statusReplicas))
        }
        let ru = d["spec"]["strategy"]["rollingUpdate"]
        do throws(RolloutMath.BadValue) {
            let (surge, unavailable) = try RolloutMath.fenceposts(maxSurge: ru["maxSurge"], maxUnavailable: ru["maxUnavailable"], desired: replicas)
            return .success(RolloutParams(replicas: replicas, rolling: true, maxSurge: surge,
                                          maxUnavailable: replicas == 0 ? 0 : min(unavailable, replicas), statusReplicas: statusReplicas))
        } catch {
            return .failure(error)
        }
    }
}

enum RolloutMath {
    struct BadValue: Error, Equatable { let message: String }

    /// Kubernetes' `GetScaledValueFromIntOrPercent` (`IntOrPercent`); absent means
    /// Kubernetes' default, 25%.
    static func scaled(_ v: JSON, total: Int, roundUp: Bool) throws(BadValue) -> Int {
        do throws(IntOrPercent.Invalid) {
            return try IntOrPercent.scaled(v, total: total, roundUp: roundUp, fallback: .percent(25))
        } catch {
            throw BadValue(message: error.message)
        }
    }

    /// Kubernetes' `ResolveFenceposts`: surge rounds up, unavailable rounds down, and 0 and 0
    /// means one unavailable (a rollout must be able to make progress).
    static func fenceposts(maxSurge: JSON, maxUnavailable: JSON, desired: Int) throws(BadValue) -> (surge: Int, unavailable: Int) {
        let surge = try scaled(maxSurge, total: desired, roundUp: true)
        var unavailable = try scaled(maxUnavailable, total: desired, roundUp: false)
        for (field, n) in [("maxSurge", surge), ("maxUnavailable", unavailable)] where Int32(exactly: n) == nil {
            throw BadValue(message: "invalid value for IntOrString: \(field) resolves to \(n), not a 32-bit integer")
        }
        if surge == 0 && unavailable == 0 { unavailable = 1 }
        return (surge, unavailable)
    }
}
