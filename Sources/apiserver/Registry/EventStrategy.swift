struct EventStrategy: ResourceStrategy {
    typealias Typed = Event
    let type = ResourceType.events

    func validate(_ event: JSON) -> [Status.Cause] {
        var causes: [Status.Cause] = []
        if let t = event["type"].stringValue, !["Normal", "Warning"].contains(t) {
            causes.append(.notSupported("type", t, supported: ["Normal", "Warning"]))
        }
        if let ns = event["involvedObject"]["namespace"].stringValue, !ns.isEmpty, ns != event["metadata"]["namespace"].stringValue {
            causes.append(.invalid("involvedObject.namespace", ns, "does not match event.namespace"))
        }
        return causes
    }

    func fieldValue(_ e: JSON, _ field: String) -> String? {
        let io = e["involvedObject"]
        switch field {
        case "involvedObject.kind": return io["kind"].stringValue ?? ""
        case "involvedObject.namespace": return io["namespace"].stringValue ?? ""
        case "involvedObject.name": return io["name"].stringValue ?? ""
        case "involvedObject.uid": return io["uid"].stringValue ?? ""
        case "involvedObject.apiVersion": return io["apiVersion"].stringValue ?? ""
        case "involvedObject.resourceVersion": return io["resourceVersion"].stringValue ?? ""
        case "involvedObject.fieldPath": return io["fieldPath"].stringValue ?? ""
        case "reason": return e["reason"].stringValue ?? ""
        case "reportingComponent": return e["reportingComponent"].stringValue ?? ""
        case "source": return e["source"]["component"].stringValue ?? ""
        case "type": return e["type"].stringValue ?? ""
        default: return commonFieldValue(e, field)
        }
    }
}
