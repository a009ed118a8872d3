/// `Status` to and from its Kubernetes JSON form.
extension Status {
    public var json: JSON {
        var o = JSONObject()
        o["kind"] = "Status"
        o["apiVersion"] = "v1"
        o["metadata"] = .object(JSONObject())
        o["status"] = code < 400 ? "Success" : "Failure"
        o["message"] = .string(message)
        o["reason"] = .string(reason)
        if let d = details {
            var dj = JSONObject()
            if let n = d.name { dj["name"] = .string(n) }
            if let g = d.group, !g.isEmpty { dj["group"] = .string(g) }
            if let k = d.kind { dj["kind"] = .string(k) }
            if !d.causes.isEmpty {
                dj["causes"] = .array(d.causes.map { ["reason": .string($0.reason), "message": .string($0.message), "field": .string($0.field)] })
            }
            if let r = d.retryAfterSeconds { dj["retryAfterSeconds"] = .int(r) }
            o["details"] = .object(dj)
        }
        o["code"] = .int(code)
        return .object(o)
    }

    public init(json: JSON) {
        code = json["code"].intValue ?? 500
        reason = json["reason"].stringValue ?? ""
        message = json["message"].stringValue ?? "unknown error"
        let d = json["details"]
        if d.objectValue != nil {
            details = Details(
                name: d["name"].stringValue, group: d["group"].stringValue, kind: d["kind"].stringValue,
                causes: (d["causes"].arrayValue ?? []).map {
                    Cause(reason: $0["reason"].stringValue ?? "", message: $0["message"].stringValue ?? "", field: $0["field"].stringValue ?? "")
                },
                retryAfterSeconds: d["retryAfterSeconds"].intValue)
        }
    }

    public static let success = Status(code: 200, reason: "", message: "")
}
