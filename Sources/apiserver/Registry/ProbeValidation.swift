import Wire

/// Kubernetes' validation of a container's probes and lifecycle hooks (validateProbe,
/// validateHandler and the actions' rules in pkg/apis/core/validation), run on the
/// defaulted pod: the probe counters are defaulted from 0 first, so only negatives fail.
enum ProbeValidation {
    /// The probes and hooks of container `c` at field path `f` (`spec.containers[0]`).
    /// `initContainer`: probes and hooks are allowed only on a sidecar (restartPolicy Always).
    static func causes(_ c: Container, at f: String, initContainer: Bool, gracePeriod: Int64?) -> [Status.Cause] {
        if initContainer && c.restartPolicy != "Always" {
            let set: [(String, Bool)] = [("lifecycle", c.lifecycle != nil), ("livenessProbe", c.livenessProbe != nil),
                                         ("readinessProbe", c.readinessProbe != nil), ("startupProbe", c.startupProbe != nil)]
            return set.filter(\.1).map { .forbidden("\(f).\($0.0)", "may not be set for init containers without restartPolicy=Always") }
        }
        var causes: [Status.Cause] = []
        if let l = c.lifecycle {
            if let h = l.postStart { causes += handlerCauses(lifecycle: h, at: "\(f).lifecycle.postStart", gracePeriod: gracePeriod) }
            if let h = l.preStop { causes += handlerCauses(lifecycle: h, at: "\(f).lifecycle.preStop", gracePeriod: gracePeriod) }
        }
        for (name, probe) in [("livenessProbe", c.livenessProbe), ("readinessProbe", c.readinessProbe), ("startupProbe", c.startupProbe)] {
            guard let p = probe else { continue }
            let at = "\(f).\(name)"
            causes += probeCauses(p, at: at)
            // Only readiness may need several successes; it alone may not set its own grace period.
            if name != "readinessProbe", let s = p.successThreshold, s != 1 {
                causes.append(.invalid("\(at).successThreshold", int: Int(s), "must be 1"))
            }
            if name == "readinessProbe", let g = p.terminationGracePeriodSeconds {
                causes.append(.invalid("\(at).terminationGracePeriodSeconds", int: Int(g), "must not be set for readinessProbes"))
            }
        }
        return causes
    }

    /// A cause of the rules here (RatchetedValidation lets through on an update those the
    /// stored object already had).
    static func isProbeCause(_ c: Status.Cause) -> Bool {
        ["Probe", ".lifecycle"].contains { c.field.contains($0) }
    }

    static func probeCauses(_ p: Probe, at f: String) -> [Status.Cause] {
        var causes = oneHandler(at: f, [
            ("exec", p.exec.map { e in { execCauses(e, at: "\(f).exec") } }),
            ("httpGet", p.httpGet.map { h in { httpGetCauses(h, at: "\(f).httpGet") } }),
            ("tcpSocket", p.tcpSocket.map { t in { portCauses(t.port, at: "\(f).tcpSocket.port") } }),
            ("grpc", (p.grpc ?? .null).isNull ? nil : { grpcCauses(p.grpc ?? .null, at: "\(f).grpc") }),
        ])
        let counters: [(String, Int32?)] = [("initialDelaySeconds", p.initialDelaySeconds), ("timeoutSeconds", p.timeoutSeconds),
                                            ("periodSeconds", p.periodSeconds), ("successThreshold", p.successThreshold),
                                            ("failureThreshold", p.failureThreshold)]
        for (name, v) in counters { if let v, v < 0 { causes.append(.negative("\(f).\(name)", Int(v))) } }
        if let g = p.terminationGracePeriodSeconds, g <= 0 {
            causes.append(.invalid("\(f).terminationGracePeriodSeconds", int: Int(g), "must be greater than 0"))
        }
        return causes
    }

    static func handlerCauses(lifecycle h: LifecycleHandler, at f: String, gracePeriod: Int64?) -> [Status.Cause] {
        oneHandler(at: f, [
            ("exec", h.exec.map { e in { execCauses(e, at: "\(f).exec") } }),
            ("httpGet", h.httpGet.map { g in { httpGetCauses(g, at: "\(f).httpGet") } }),
            ("tcpSocket", h.tcpSocket.map { t in { portCauses(t.port, at: "\(f).tcpSocket.port") } }),
            ("sleep", h.sleep.map { z in { sleepCauses(z, at: "\(f).sleep", gracePeriod: gracePeriod) } }),
        ])
    }

    /// Kubernetes' handler choice: exactly one of `handlers` (name, and its rules when set);
    /// the first set one is checked, each later one is "more than 1", none is required.
    static func oneHandler(at f: String, _ handlers: [(String, (() -> [Status.Cause])?)]) -> [Status.Cause] {
        let set = handlers.compactMap { name, rules in rules.map { (name, $0) } }
        guard let (_, first) = set.first else {
            return [.init(reason: "FieldValueRequired", message: "Required value: must specify a handler type", field: f)]
        }
        return first() + set.dropFirst().map { .forbidden("\(f).\($0.0)", "may not specify more than 1 handler type") }
    }

    static func execCauses(_ e: ExecAction, at f: String) -> [Status.Cause] {
        (e.command ?? []).isEmpty ? [.required("\(f).command")] : []
    }

    static let schemes = ["HTTP", "HTTPS"]

    static func httpGetCauses(_ h: HTTPGetAction, at f: String) -> [Status.Cause] {
        var causes: [Status.Cause] = []
        if (h.path ?? "").isEmpty { causes.append(.required("\(f).path")) }
        causes += portCauses(h.port, at: "\(f).port")
        let scheme = h.scheme ?? ""
        if !schemes.contains(scheme) { causes.append(.notSupported("\(f).scheme", scheme, supported: schemes)) }
        for header in h.httpHeaders ?? [] {
            let name = header["name"].stringValue ?? ""
            if !isHTTPHeaderName(name) {
                // Kubernetes reports these at the list, not at the header's index.
                causes.append(.invalid("\(f).httpHeaders", name, "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')"))
            }
        }
        return causes
    }

    /// `[-A-Za-z0-9]+`, ASCII only.
    static func isHTTPHeaderName(_ s: String) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy { $0 == "-" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    static let portRange = "must be between 1 and 65535, inclusive"

    /// Kubernetes' ValidatePortNumOrName: a number in range or an IANA_SVC_NAME.
    static func portCauses(_ port: IntOrString, at f: String) -> [Status.Cause] {
        switch port {
        case .int(let n):
            return (1...65535).contains(n) ? [] : [.invalid(f, int: n, portRange)]
        case .string(let name):
            return portNameProblems(name).map { .invalid(f, name, $0) }
        }
    }

    /// Kubernetes' IsValidPortName, its messages in its order.
    static func portNameProblems(_ s: String) -> [String] {
        var problems: [String] = []
        if s.count > 15 { problems.append("must be no more than 15 characters") }
        let lowerOrDigit: (Unicode.Scalar) -> Bool = { ("a"..."z").contains($0) || ("0"..."9").contains($0) }
        if s.isEmpty || !s.unicodeScalars.allSatisfy({ $0 == "-" || lowerOrDigit($0) }) {
            problems.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
        }
        if !s.unicodeScalars.contains(where: { ("a"..."z").contains($0) }) { problems.append("must contain at least one letter (a-z)") }
        if s.contains("--") { problems.append("must not contain consecutive hyphens") }
        if s.hasPrefix("-") || s.hasSuffix("-") { problems.append("must not begin or end with a hyphen") }
        return problems
    }

    static func grpcCauses(_ g: JSON, at f: String) -> [Status.Cause] {
        let port = g["port"].intValue ?? 0
        return (1...65535).contains(port) ? [] : [.invalid("\(f).port", int: port, portRange)]
    }

    /// As Kubernetes v1.32 with PodLifecycleSleepActionAllowZero off (its default).
    static func sleepCauses(_ s: SleepAction, at f: String, gracePeriod: Int64?) -> [Status.Cause] {
        guard let grace = gracePeriod, s.seconds <= 0 || s.seconds > grace else { return [] }
        return [.invalid(f, int: Int(s.seconds), "must be greater than 0 and less than terminationGracePeriodSeconds (\(grace)). Please enable PodLifecycleSleepActionAllowZero feature gate if you need a sleep of zero duration.")]
    }
}
