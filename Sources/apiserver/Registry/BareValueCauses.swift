import Wire

/// 422 causes whose value Kubernetes prints bare rather than quoted: integers (`-1`), an
/// IntOrString's `String()`, Go's `%#v` of a slice. (A string value is quoted: Wire's
/// `Status.Cause.invalid(_:_:_:)`.)
extension Status.Cause {
    /// `Invalid value: <shown>: <why>`.
    static func invalid(_ field: String, bare shown: String, _ why: String) -> Self {
        .init(reason: "FieldValueInvalid", message: "Invalid value: \(shown): \(why)", field: field)
    }

    /// `Invalid value: -1: <why>`.
    static func invalid(_ field: String, int value: Int, _ why: String) -> Self { invalid(field, bare: String(value), why) }

    /// Kubernetes' `ValidateNonnegativeField` for an integer field.
    static func negative(_ field: String, _ value: Int) -> Self { invalid(field, int: value, "must be greater than or equal to 0") }
}
