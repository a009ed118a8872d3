/// `pods/binding`, as Kubernetes' BindingREST: the one way to set a pod's `spec.nodeName`
/// after it was created (the scheduler's write).
extension APIService {
    /// What Kubernetes answers a binding with.
    static let bindingSucceeded: JSON = ["kind": "Status", "apiVersion": "v1", "metadata": .object(JSONObject()), "status": "Success", "code": 201]

    /// `create` on `pods/binding`: sets `spec.nodeName` of an unassigned pod to
    /// `target.name`, copies the Binding's annotations onto the pod and sets the condition
    /// PodScheduled=True. 404 for an absent pod; 409 for a pod already assigned or being
    /// deleted, or when the Binding's `metadata.uid`/`resourceVersion` (preconditions, as
    /// in Kubernetes) are not the pod's.
    func bind(_ req: Request, respond: @escaping Responder) throws(Status) {
        let t = try target(req, needsNamespace: true)
        guard var binding = req.object else { throw Status.badRequest("create needs an object") }
        try Self.checkBindingKind(&binding)
        let bindingName = binding["metadata"]["name"].stringValue ?? ""
        let name = req.name ?? bindingName
        if name.isEmpty { throw Status.badRequest("resource name may not be empty") }
        if bindingName != name { throw Status.badRequest("name in URL does not match name in Binding object") }
        try ObjectPreparation.placeNamespace(&binding, t)
        let node = binding["target"]["name"].stringValue ?? ""
        var causes: [Status.Cause] = []
        if let kind = binding["target"]["kind"].stringValue, !kind.isEmpty, kind != "Node" {
            causes.append(.notSupported("target.kind", kind, supported: ["Node", "<empty>"]))
        }
        if node.isEmpty { causes.append(.required("target.name")) }
        if !causes.isEmpty { throw Status.invalid(kind: "Binding", name: name, causes: causes) }
        let annotations = binding["metadata"]["annotations"].objectValue ?? JSONObject()
        let uid = binding["metadata"]["uid"].stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let resourceVersion = binding["metadata"]["resourceVersion"].stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let maxBytes = limits.maxObjectBytes
        guaranteedUpdate(t, t.key(name), dryRun: req.dryRun, respond: { reply in
            if case .failure = reply { respond(reply) } else { respond(.object(Self.bindingSucceeded, warnings: [])) }
        }) { cur, old throws(Status) -> PreparedChange in
            if let uid, uid != old["metadata"]["uid"].stringValue {
                throw Status.conflict(resource: "pods", name: name,
                                      "Precondition failed: UID in precondition: \(uid), UID in object meta: \(old["metadata"]["uid"].stringValue ?? "")")
            }
            if let resourceVersion, resourceVersion != String(cur.modRevision) {
                throw Status.conflict(resource: "pods", name: name,
                                      "Precondition failed: ResourceVersion in precondition: \(resourceVersion), ResourceVersion in object meta: \(cur.modRevision)")
            }
            let bound = try Self.boundPod(old, name: name, node: node, annotations: annotations)
            let invalid = MetadataValidation.validate(bound, type: .pods)
            if !invalid.isEmpty { throw Status.invalid(kind: "Binding", name: name, causes: invalid) }
            let encoded = EncodedObject(bound)
            try Self.checkSize(encoded, limit: maxBytes)
            return .put(encoded, old: old, warnings: [])
        }
    }

    /// `pod` assigned to `node`, or why it cannot be (409, as Kubernetes words it).
    static func boundPod(_ pod: JSON, name: String, node: String, annotations: JSONObject) throws(Status) -> JSON {
        if !pod["metadata"]["deletionTimestamp"].isNull {
            throw Status.conflict(resource: "pods/binding", name: name, "pod \(name) is being deleted, cannot be assigned to a host")
        }
        if let assigned = pod["spec"]["nodeName"].stringValue, !assigned.isEmpty {
            throw Status.conflict(resource: "pods/binding", name: name, "pod \(name) is already assigned to node \"\(assigned)\"")
        }
        if let gates = pod["spec"]["schedulingGates"].arrayValue, !gates.isEmpty {
            throw Status.conflict(resource: "pods/binding", name: name, "pod \(name) has non-empty .spec.schedulingGates")
        }
        var bound = pod
        bound[path: ["spec", "nodeName"]] = .string(node)
        if !annotations.isEmpty {
            var merged = pod["metadata"]["annotations"].objectValue ?? JSONObject()
            for (k, v) in annotations { merged[k] = v }
            bound[path: ["metadata", "annotations"]] = .object(merged)
        }
        bound["status"] = setScheduledCondition(pod["status"])
        return bound
    }

    /// `status` with the condition PodScheduled=True, replacing any earlier one (its reason
    /// and message go); `lastTransitionTime` stays if it was True already.
    static func setScheduledCondition(_ status: JSON) -> JSON {
        var conditions = status["conditions"].arrayValue ?? []
        let index = conditions.firstIndex { $0["type"].stringValue == "PodScheduled" }
        var since = JSON.string(Timestamp.now())
        if let i = index, conditions[i]["status"].stringValue == "True", !conditions[i]["lastTransitionTime"].isNull {
            since = conditions[i]["lastTransitionTime"]
        }
        let scheduled: JSON = ["type": "PodScheduled", "status": "True", "lastProbeTime": .null, "lastTransitionTime": since]
        if let i = index { conditions[i] = scheduled } else { conditions.append(scheduled) }
        var s = status.objectValue ?? JSONObject()
        s["conditions"] = .array(conditions)
        return .object(s)
    }

    /// A Binding must say it is one (`kind: Binding`, `apiVersion: v1`, when given).
    static func checkBindingKind(_ obj: inout JSON) throws(Status) {
        guard case .object = obj else { throw Status.badRequest("the object must be a JSON object") }
        let kind = obj["kind"].stringValue ?? "", apiVersion = obj["apiVersion"].stringValue ?? ""
        if !kind.isEmpty && kind != "Binding" {
            throw Status.badRequest("the kind \"\(kind)\" does not match the resource \"pods/binding\" (kind Binding)")
        }
        if !apiVersion.isEmpty && apiVersion != "v1" {
            throw Status.badRequest("the apiVersion \"\(apiVersion)\" is not served for Binding; use \"v1\"")
        }
        if obj["metadata"].objectValue == nil {
            if !obj["metadata"].isNull { throw Status.badRequest("metadata must be an object") }
            obj["metadata"] = .object(JSONObject())
        }
        if !obj["target"].isNull && obj["target"].objectValue == nil { throw Status.badRequest("target must be an object") }
        for f in ["name", "kind"] where !obj["target"][f].isNull && obj["target"][f].stringValue == nil {
            throw Status.badRequest("target.\(f) must be a string")
        }
        let a = obj["metadata"]["annotations"]
        if !a.isNull && (a.objectValue == nil || a.objectValue!.contains(where: { $0.value.stringValue == nil })) {
            throw Status.badRequest("metadata.annotations must map strings to strings")
        }
    }
}
