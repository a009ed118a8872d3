import ControllerRuntime

extension EventRecorder {
    /// An event about a workload object (`type` names its kind and apiVersion), as the
    /// workload controllers record them.
    func record(about object: JSON, _ type: ResourceType, eventType: String = "Normal", reason: String, _ message: String) {
        let m = object["metadata"]
        record(ObjectReference(kind: type.kind, namespace: m["namespace"].stringValue, name: m["name"].stringValue,
                               uid: m["uid"].stringValue, apiVersion: type.apiVersion),
               type: eventType, reason: reason, message: message)
    }
}
