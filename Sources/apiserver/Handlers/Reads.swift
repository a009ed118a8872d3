import Foundation

extension APIService {
    func get(_ req: Request) throws(Status) -> Reply {
        let t = try target(req, needsNamespace: true)
        let name = try requireName(req)
        guard let o = try store.get(t.key(name)) else {
            throw Status.notFound(resource: t.type.plural, name: name, group: t.type.group)
        }
        return .encoded(o.bytes, warnings: [])
    }

    /// The filter a list or watch request describes; 400 for a bad selector or a field the
    /// kind cannot be selected by.
    func filter(_ req: Request, _ t: Target) throws(Status) -> ObjectFilter {
        var f = ObjectFilter(namespace: t.namespace)
        do {
            if let l = req.labelSelector { f.labels = try LabelSelector.parse(l) }
            if let fs = req.fieldSelector { f.fields = try FieldSelector.parse(fs) }
        } catch {
            throw Status.badRequest(error.message)
        }
        let s = t.strategy
        for r in f.fields.requirements where s.fieldValue(.object(JSONObject()), r.field) == nil {
            throw Status.badRequest("field label not supported: \(r.field)")
        }
        f.fieldValue = { obj, field in s.fieldValue(obj, field) ?? "" }
        // metadata.name= on a list narrows to one object without scanning the rest.
        if let r = f.fields.requirements.first(where: { $0.field == "metadata.name" && !$0.negated }) { f.name = r.value }
        if let r = f.fields.requirements.first(where: { $0.field == "spec.nodeName" && !$0.negated }) { f.nodeName = r.value }
        return f
    }

    /// Bytes a list response needs besides its items: the response and list envelopes,
    /// warnings aside (lists carry none).
    static let listEnvelopeBytes = 1024

    /// A list (or one page of it). The reply must fit in one frame of `replyLimit` bytes: a
    /// page with `limit` is cut short where it would not (with a `continue` token from the
    /// last item that fits, as Kubernetes may return fewer than `limit`); an unpaged list
    /// that would not fit is refused with 413 and a message saying to page it.
    func list(_ req: Request, replyLimit: Int) throws(Status) -> Reply {
        let t = try target(req, needsNamespace: false)
        let f = try filter(req, t)
        var after: String? = nil
        var atRevision: Int64? = nil
        if let token = req.continueToken, !token.isEmpty {
            let c = try ContinueToken.decode(token)
            guard t.range.contains(c.key) || c.key == t.range.lower else { throw Status.badRequest("continue key is not valid: it does not belong to this list") }
            after = c.key
            atRevision = c.revision
        }
        let page = try store.list(Self.keyRange(t, f), after: after, limit: req.limit, atRevision: atRevision, name: f.name,
                                  keepsAll: f.isTrivial) { o throws(Status) -> Bool in
            if f.isTrivial { return true }
            return f.matches(try o.json())
        }
        let budget = replyLimit - Self.listEnvelopeBytes
        var items = page.items
        var next = page.continueAfter
        var total = 0
        for (i, item) in items.enumerated() {
            total += item.bytes.count + 1
            guard total > budget else { continue }
            guard let limit = req.limit, limit > 0 else {
                throw Status(code: 413, reason: Status.Reason.requestEntityTooLarge,
                             message: "the list is larger than the largest frame this connection accepts (\(replyLimit) bytes): page it with limit and continue (kubectl's --chunk-size)")
            }
            guard i > 0 else { throw Status.internalError("\(item.key) alone is larger than the largest frame this connection accepts (\(replyLimit) bytes)") }
            items.removeSubrange(i...)
            next = items[i - 1].key
            break
        }
        var meta = JSONObject([("resourceVersion", .string(String(page.revision)))])
        if let next {
            meta["continue"] = .string(ContinueToken(revision: page.revision, key: next).encode())
        }
        return .encoded(Self.encodeList(t.type, meta: .object(meta), items: items.map(\.bytes)), warnings: [])
    }

    /// The keys a list must look at: a list across namespaces with a
    /// `metadata.namespace=` field selector reads only that namespace's keys.
    static func keyRange(_ t: Target, _ f: ObjectFilter) -> KeyRange {
        guard t.type.namespaced, t.namespace == nil,
              let r = f.fields.requirements.first(where: { $0.field == "metadata.namespace" && !$0.negated })
        else { return t.range }
        return KeyRange(resource: t.type.plural, namespace: r.value)
    }

    /// `{"apiVersion":..,"kind":"PodList","metadata":{..},"items":[..]}` with the stored
    /// items spliced in as they are.
    static func encodeList(_ type: ResourceType, meta: JSON, items: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(items.reduce(128) { $0 + $1.count + 1 })
        out.append(contentsOf: #"{"apiVersion":""#.utf8)
        out.append(contentsOf: type.apiVersion.utf8)
        out.append(contentsOf: #"","kind":""#.utf8)
        out.append(contentsOf: (type.kind + "List").utf8)
        out.append(contentsOf: #"","metadata":"#.utf8)
        meta.write(to: &out)
        out.append(contentsOf: #","items":["#.utf8)
        for (i, b) in items.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: b)
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }
}

/// The opaque `continue` value: the revision the list is read at and the last key returned.
struct ContinueToken {
    var revision: Int64
    var key: String

    func encode() -> String {
        let json: JSON = ["v": "skiff1", "rv": .int64(revision), "start": .string(key)]
        return Data(json.bytes()).base64EncodedString()
    }

    static func decode(_ s: String) throws(Status) -> ContinueToken {
        guard let d = Data(base64Encoded: s), let j = try? JSON.parse(Array(d)),
              let rv = j["rv"].stringValue.flatMap({ Int64($0) }) ?? j["rv"].intValue.map({ Int64($0) }),
              let key = j["start"].stringValue
        else { throw Status.badRequest("continue key is not valid: malformed token") }
        return ContinueToken(revision: rv, key: key)
    }
}
