/// What `RuntimeService.version` answers (CRI's `VersionResponse`).
public struct RuntimeVersion: Sendable, Equatable {
    /// The runtime's own version string.
    public var version: String
    /// The handler's name, e.g. `host`.
    public var runtimeName: String
    public var runtimeVersion: String
    /// The CRI API version both sides speak, picked by `CRIVersion.negotiate`.
    public var runtimeAPIVersion: String

    public init(version: String, runtimeName: String, runtimeVersion: String, runtimeAPIVersion: String) {
        self.version = version
        self.runtimeName = runtimeName
        self.runtimeVersion = runtimeVersion
        self.runtimeAPIVersion = runtimeAPIVersion
    }
}

/// CRI API version negotiation. CRI moved from `v1alpha2` to `v1`, and kubelets ask for `v1`
/// first and fall back to `v1alpha2`; here the kubelet names every version it speaks and the
/// runtime picks the highest one it shares.
public enum CRIVersion {
    /// The highest version in both lists, in Kubernetes' version order (`v2` > `v1` >
    /// `v1beta2` > `v1beta1` > `v1alpha1`). Throws `unsupportedVersion` naming both lists
    /// when they share none.
    public static func negotiate(kubelet: [String], runtime: [String]) throws(RuntimeError) -> String {
        let shared = kubelet.filter { runtime.contains($0) }
        guard let best = shared.max(by: { isLower($0, than: $1) }) else {
            throw RuntimeError(.unsupportedVersion,
                               "no common CRI API version: the kubelet speaks \(list(kubelet)); the runtime speaks \(list(runtime))")
        }
        return best
    }

    private static func list(_ versions: [String]) -> String {
        versions.isEmpty ? "none" : versions.joined(separator: ", ")
    }

    /// Kubernetes' ordering of API versions (apimachinery's CompareKubeAwareVersionStrings):
    /// GA above beta above alpha, then by number; strings not of the form `vN[alpha|betaM]`
    /// sort below every such version, alphabetically.
    static func isLower(_ a: String, than b: String) -> Bool {
        switch (parse(a), parse(b)) {
        case let (x?, y?): return (x.major, x.stability, x.minor) < (y.major, y.stability, y.minor)
        case (nil, _?): return true
        case (_?, nil): return false
        case (nil, nil): return a > b
        }
    }

    private static func parse(_ v: String) -> (major: Int, stability: Int, minor: Int)? {
        guard v.hasPrefix("v") else { return nil }
        let rest = v.dropFirst()
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard let major = Int(digits), major > 0 else { return nil }
        let tail = rest.dropFirst(digits.count)
        if tail.isEmpty { return (major, 2, 0) }
        for (word, stability) in [("beta", 1), ("alpha", 0)] where tail.hasPrefix(word) {
            guard let minor = Int(tail.dropFirst(word.count)), minor > 0 else { return nil }
            return (major, stability, minor)
        }
        return nil
    }
}
