/// The `scale` subresource of ReplicaSets and Deployments, as Kubernetes serves it: the
/// object seen as an `autoscaling/v1` Scale. get reads it; update and patch change only
/// `spec.replicas` of the object (a patch applies to the Scale form, and a
/// `metadata.resourceVersion` it carries must be current).
extension APIService {
    static let scaledTypes: Set<String> = [ResourceType.replicaSets.plural, ResourceType.deployments.plural]

    func scale(_ req: Request, respond: @escaping Responder) throws(Status) {
        var unscaled = req
        unscaled.subresource = nil
        let plain = unscaled
        let answer: Responder = { reply in respond(Self.scaleReply(reply)) }
        // Refuses kinds without a scale and verbs it does not take.
        let t = try target(req, needsNamespace: true)
        if req.verb == .get {
            store.blocking.run { answer(Self.answer { () throws(Status) in try self.get(plain) }) }
            return
        }
        let name = try requireName(req)
        // The Scale the write asks for, from the current one: the same checks and patch
        // code as a plain update or patch.
        let wantedScale: @Sendable (JSON) throws(Status) -> JSON
        switch req.verb {
        case .update:
            guard let given = req.object, case .object = given else { throw Status.badRequest("update needs an object") }
            try Self.checkScaleForm(given)
            try Self.checkNameMatches(given, name)
            wantedScale = { _ in given }
        case .patch:
            let patch = try PatchDocument(req)
            wantedScale = { scale throws(Status) in try patch.apply(to: scale, name: name) }
        default:
            throw Status.methodNotAllowed("\(req.verb.rawValue) is not allowed on \(t.type.plural)/scale")
        }
        let maxBytes = limits.maxObjectBytes
        guaranteedUpdate(t, t.key(name), dryRun: req.dryRun, respond: answer) { cur, old throws(Status) -> PreparedChange in
            let wanted = try wantedScale(Self.scaleOf(old))
            // As Kubernetes: the Scale is decoded, then validated, then its resourceVersion
            // compared with the object's.
            try Self.checkScaleForm(wanted)
            let n = wanted["spec"]["replicas"].intValue ?? 0
            if n < 0 {
                throw Status.invalid(kind: "Scale", name: name, group: "autoscaling", causes: [.negative("spec.replicas", n)])
            }
            try Self.checkUID(wanted, old: old, t, name)
            try Self.checkResourceVersion(wanted, current: cur, t, name)
            var new = old
            new[path: ["spec", "replicas"]] = .int(n)
            return try Self.prepareUpdate(t, name, current: cur, old: old, new: new, isStatus: false, maxBytes: maxBytes)
        }
    }

    /// A Scale the subresource takes: an autoscaling/v1 Scale (kind and apiVersion may be
    /// left out) whose fields have their JSON types (`spec.replicas` an int32).
    static func checkScaleForm(_ scale: JSON) throws(Status) {
        let kind = scale["kind"].stringValue ?? "", apiVersion = scale["apiVersion"].stringValue ?? ""
        if (!kind.isEmpty && kind != "Scale") || (!apiVersion.isEmpty && apiVersion != "autoscaling/v1") {
            throw Status.badRequest("the scale subresource takes an autoscaling/v1 Scale, not \(apiVersion.isEmpty ? "" : apiVersion + " ")\(kind)")
        }
        _ = try ObjectPreparation.unknownFields(scale, SchemaProbe.schema(for: ScaleForm.self), kind: "Scale", version: "v1")
    }

    /// An object's reply turned into its Scale; failures pass through.
    static func scaleReply(_ reply: Reply) -> Reply {
        switch reply {
        case .encoded(let bytes, let warnings):
            guard let o = try? JSON.parse(bytes) else { return reply }
            return .object(scaleOf(o), warnings: warnings)
        case .object(let o, let warnings): return .object(scaleOf(o), warnings: warnings)
        default: return reply
        }
    }

    /// Kubernetes' autoscaling/v1 Scale of a ReplicaSet or Deployment: `spec.replicas`
    /// (left out when 0, as Kubernetes' omitempty), `status.replicas` and the selector as a
    /// string (requirements sorted by key, as Kubernetes prints a selector).
    static func scaleOf(_ o: JSON) -> JSON {
        let m = o["metadata"]
        let meta: JSON = ["name": m["name"], "namespace": m["namespace"], "uid": m["uid"], "resourceVersion": m["resourceVersion"],
                          "creationTimestamp": m["creationTimestamp"]]
        var spec: JSON = [:]
        if let n = o["spec"]["replicas"].intValue, n != 0 { spec["replicas"] = .int(n) }
        var selector = ""
        if let s = try? Client.decode(LabelSelectorSpec.self, o["spec"]["selector"]), let parsed = try? LabelSelector(s) {
            let sorted = parsed.requirements.sorted { $0.key < $1.key }.map { r in
                var r = r
                r.values.sort()
                return r
            }
            selector = LabelSelector(requirements: sorted).description
        }
        return ["kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": meta, "spec": spec,
                "status": ["replicas": .int(o["status"]["replicas"].intValue ?? 0), "selector": .string(selector)]]
    }
}

/// The fields of Kubernetes' autoscaling/v1 Scale, for its schema only.
struct ScaleForm: Decodable {
    struct Spec: Decodable { var replicas: Int32? }
    struct State: Decodable {
        var replicas: Int32?
        var selector: String?
    }
    var apiVersion: String?
    var kind: String?
    var metadata: ObjectMeta?
    var spec: Spec?
    var status: State?
}
