import Foundation

struct ConfigMapStrategy: ResourceStrategy {
    typealias Typed = ConfigMap
    let type = ResourceType.configMaps

    func validate(_ cm: JSON) -> [Status.Cause] {
        var causes: [Status.Cause] = []
        var total = 0
        for field in ["data", "binaryData"] {
            for (k, v) in cm[field].objectValue ?? JSONObject() {
                if let p = configKeyProblem(k) { causes.append(.invalid("\(field)[\(k)]", k, p)) }
                total += v.stringValue?.utf8.count ?? 0
            }
        }
        if total > 1 << 20 {
            causes.append(.init(reason: "FieldValueTooLong", message: "Too long: must have at most 1048576 bytes", field: "data"))
        }
        return causes
    }

    func validateUpdate(_ new: JSON, old: JSON) -> [Status.Cause] {
        immutableDataCheck(new, old)
    }
}

struct SecretStrategy: ResourceStrategy {
    typealias Typed = Secret
    let type = ResourceType.secrets

    func applyDefaults(_ s: inout JSON) {
        if s["type"].isNull { s["type"] = "Opaque" }
    }

    /// `stringData` is write-only: folded into `data` (base64) and dropped.
    func prepareForCreate(_ s: inout JSON) { Self.foldStringData(&s) }
    func prepareForUpdate(_ s: inout JSON, old: JSON) { Self.foldStringData(&s) }

    static func foldStringData(_ s: inout JSON) {
        guard case .object(let sd) = s["stringData"] else { s["stringData"] = .null; return }
        var data = s["data"].objectValue ?? JSONObject()
        for (k, v) in sd { data[k] = .string(Data((v.stringValue ?? "").utf8).base64EncodedString()) }
        s["data"] = .object(data)
        s["stringData"] = .null
    }

    func validate(_ s: JSON) -> [Status.Cause] {
        var causes: [Status.Cause] = []
        for (k, v) in s["data"].objectValue ?? JSONObject() {
            if let p = configKeyProblem(k) { causes.append(.invalid("data[\(k)]", k, p)) }
            if Data(base64Encoded: v.stringValue ?? "") == nil { causes.append(.invalid("data[\(k)]", "<secret contents redacted>", "illegal base64 data")) }
        }
        return causes
    }

    func validateUpdate(_ new: JSON, old: JSON) -> [Status.Cause] {
        var causes = immutableDataCheck(new, old)
        if new["type"] != old["type"] { causes.append(.invalid("type", new["type"].stringValue ?? "", "field is immutable")) }
        return causes
    }

    func fieldValue(_ s: JSON, _ field: String) -> String? {
        if field == "type" { return s["type"].stringValue ?? "" }
        return commonFieldValue(s, field)
    }
}
