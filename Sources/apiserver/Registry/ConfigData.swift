/// ConfigMap and Secret keys: alphanumerics, `-`, `_`, `.`; at most 253 characters.
func configKeyProblem(_ k: String) -> String? {
    let ok = !k.isEmpty && k.utf8.count <= 253 && k.utf8.allSatisfy {
        LabelSyntax.isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
    } && k != "." && k != ".."
    return ok ? nil : "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
}

/// `immutable: true` freezes data and binaryData, and cannot be undone.
func immutableDataCheck(_ new: JSON, _ old: JSON) -> [Status.Cause] {
    guard old["immutable"].boolValue == true else { return [] }
    var causes: [Status.Cause] = []
    if new["immutable"].boolValue != true { causes.append(.forbidden("immutable", "field is immutable when `immutable` is set")) }
    if new["data"] != old["data"] || new["binaryData"] != old["binaryData"] {
        causes.append(.forbidden("data", "field is immutable when `immutable` is set"))
    }
    return causes
}
