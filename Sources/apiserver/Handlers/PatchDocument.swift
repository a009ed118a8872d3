/// A patch request's document: its type and shape checked before the object is read, then
/// applied to one version of the object. A plain patch and the scale subresource's patch
/// both go through it (and through `checkResourceVersion`), so they answer alike.
struct PatchDocument: Sendable {
    let type: String
    let body: JSON

    init(_ req: Request) throws(Status) {
        guard let patch = req.patch else { throw Status.badRequest("patch needs a patch document") }
        let type = req.patchType ?? "merge"
        switch type {
        case "merge", "strategic":
            guard case .object = patch else { throw Status.badRequest("a \(type) patch must be a JSON object") }
        case "json":
            guard case .array = patch else { throw Status.badRequest("a json patch must be a JSON array of operations") }
        default:
            throw Status(code: 415, reason: "UnsupportedMediaType",
                         message: "the patch type \"\(Status.clip(type))\" is not supported; Skiff takes \"merge\" (RFC 7386), \"json\" (RFC 6902) and \"strategic\"")
        }
        self.type = type
        body = patch
    }

    /// `object` with the patch applied. The result must be a JSON object (a json patch may
    /// replace the whole document) that still has the request's name, as Kubernetes checks
    /// a patched object (a patch that drops or changes `metadata.name` is refused).
    func apply(to object: JSON, name: String) throws(Status) -> JSON {
        let new: JSON
        switch type {
        case "json": new = try object.applyingJSONPatch(body)
        case "strategic": new = try object.applyingStrategicMergePatch(body)
        default: new = object.applyingMergePatch(body)
        }
        guard case .object = new else { throw Status.badRequest("the object must be a JSON object") }
        let patchedName = new["metadata"]["name"].stringValue ?? ""
        if patchedName != name {
            throw Status.badRequest("the name of the object (\(patchedName)) does not match the name on the URL (\(name))")
        }
        return new
    }
}

extension APIService {
    /// A non-empty `metadata.resourceVersion` in what a write asks for (an update's object,
    /// a patched object, a Scale) is a precondition: it must be the current one. An empty
    /// one asks for no precondition, as in Kubernetes.
    static func checkResourceVersion(_ wanted: JSON, current: StoredObject, _ t: Target, _ name: String) throws(Status) {
        if let rv = wanted["metadata"]["resourceVersion"].stringValue, !rv.isEmpty, rv != String(current.modRevision) {
            throw Status.conflict(resource: t.type.plural, name: name, group: t.type.group,
                                  "the object has been modified; please apply your changes to the latest version and try again")
        }
    }

    /// A non-empty `metadata.uid` in what a write asks for is a precondition: the stored
    /// object's uid (an object deleted and made again under the name is another one).
    static func checkUID(_ wanted: JSON, old: JSON, _ t: Target, _ name: String) throws(Status) {
        let current = old["metadata"]["uid"].stringValue ?? ""
        if let uid = wanted["metadata"]["uid"].stringValue, !uid.isEmpty, uid != current {
            throw Status.conflict(resource: t.type.plural, name: name, group: t.type.group,
                                  "Precondition failed: UID in precondition: \(uid), UID in object meta: \(current)")
        }
    }

    /// An update's object may leave its name out; a name it gives must be the request's.
    static func checkNameMatches(_ obj: JSON, _ name: String) throws(Status) {
        if let given = obj["metadata"]["name"].stringValue, !given.isEmpty, given != name {
            throw Status.badRequest("the name of the object (\(given)) does not match the name on the URL (\(name))")
        }
    }
}
