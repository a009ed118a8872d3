import KubeletCore

/// What the kubelet answers when the apiserver proxies a request to it over the
/// connection the kubelet dialed (`ctl get --raw /api/v1/nodes/NAME/proxy/PATH`), as
/// Kubernetes' kubelet serves these paths on its port 10250:
///
/// - `healthz`: `"ok"`.
/// - `configz`: `{"kubeletconfig": {...}}`, the configuration it runs with.
/// - `stats/summary`: node CPU, memory and file-system usage, and the pods it runs.
///
/// Simulated nodes have no host to measure: they serve `healthz` and `configz` only.
struct KubeletEndpoints: Sendable {
    let config: AgentConfig
    let rootDir: String?
    let startTime = Timestamp.now()
    /// Nil for simulated nodes.
    let stats: HostStats?

    func handle(_ req: Request) async -> Result<JSON, Status> {
        guard req.verb == .proxy else {
            return .failure(.methodNotAllowed("the kubelet serves only proxy requests, not \(req.verb.rawValue)"))
        }
        var path = Substring(req.path ?? "")
        while path.hasPrefix("/") { path = path.dropFirst() }
        if let q = path.firstIndex(of: "?") { path = path[..<q] }
        switch path {
        case "healthz": return .success("ok")
        case "configz": return .success(["kubeletconfig": configz()])
        case "stats/summary":
            if let stats { return .success(await stats.summary(nodeName: config.nodeName, startTime: startTime)) }
        default: break
        }
        return .failure(Status(code: 404, reason: Status.Reason.notFound, message: "the server could not find the requested resource"))
    }

    func configz() -> JSON {
        var c: JSON = [
            "kind": "KubeletConfiguration", "apiVersion": "kubelet.config.k8s.io/v1beta1",
            "nodeLeaseDurationSeconds": .int(Int(config.leaseDurationSeconds)),
            "nodeStatusReportFrequency": .string(Duration.goString(config.statusReportSeconds)),
            "nodeStatusUpdateFrequency": .string(Duration.goString(config.renewIntervalSeconds)),
            "maxPods": 110,
        ]
        if let rootDir { c["rootDirectory"] = .string(rootDir) }
        if !config.labels.isEmpty {
            c["nodeLabels"] = .object(JSONObject(config.labels.sorted { $0.key < $1.key }.map { ($0.key, JSON.string($0.value)) }))
        }
        return c
    }
}

/// `ctl logs` and `ctl exec` reach the kubelet as `logs`/`exec` stream requests (protocol
/// version 2). They need the container runtime the pod workers use: without one (until
/// `kubelet run` creates it) they are answered 503.
enum KubeletStreams {
    static func handler(runtime: (any RuntimeService)?, rootDir: String) -> @Sendable (Request, StreamChannel) async -> Result<JSON, Status> {
        guard let runtime else {
            return { req, _ in .failure(.unavailable("this kubelet runs no container runtime yet, so it serves no \(req.verb.rawValue)")) }
        }
        let server = PodStreamServer(runtime: runtime, rootDir: rootDir)
        return { req, channel in await server.handle(req, channel) }
    }
}
