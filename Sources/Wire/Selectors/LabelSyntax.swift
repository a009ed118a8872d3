/// Kubernetes' rules for label keys and values, and for DNS names.
public enum LabelSyntax {
    public static func isAlnum(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A)
    }

    /// A qualified name: `[prefix/]name`, name up to 63 characters of alphanumerics, `-`,
    /// `_`, `.`, starting and ending alphanumeric; prefix a DNS subdomain.
    public static func keyProblem(_ key: String) -> String? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count > 2 { return "a qualified name must consist of an optional prefix and a name separated by one '/'" }
        if parts.count == 2 {
            if parts[0].isEmpty { return "prefix part must be non-empty" }
            if let p = dns1123SubdomainProblem(String(parts[0])) { return "prefix part \(p)" }
        }
        let name = String(parts.last!)
        if name.isEmpty { return "name part must be non-empty" }
        if name.utf8.count > 63 { return "name part must be no more than 63 characters" }
        if !nameChars(name) { return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character" }
        return nil
    }

    /// A label value: empty, or up to 63 characters like a key's name part.
    public static func valueProblem(_ v: String) -> String? {
        if v.isEmpty { return nil }
        if v.utf8.count > 63 { return "must be no more than 63 characters" }
        if !nameChars(v) { return "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character" }
        return nil
    }

    static func nameChars(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard let f = u.first, let l = u.last, isAlnum(f), isAlnum(l) else { return false }
        return u.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    /// RFC 1123 subdomain: lowercase alphanumerics, `-` and `.`, at most 253 characters,
    /// starting and ending alphanumeric. Object names of most kinds follow it.
    public static func dns1123SubdomainProblem(_ s: String) -> String? {
        let u = Array(s.utf8)
        if u.isEmpty { return "must be non-empty" }
        if u.count > 253 { return "must be no more than 253 characters" }
        let ok = u.allSatisfy { lowerAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
        if !ok || !lowerAlnum(u.first!) || !lowerAlnum(u.last!) {
            return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        }
        return nil
    }

    /// RFC 1123 label: like a subdomain without dots, at most 63 characters. Namespace and
    /// container names follow it.
    public static func dns1123LabelProblem(_ s: String) -> String? {
        let u = Array(s.utf8)
        if u.isEmpty { return "must be non-empty" }
        if u.count > 63 { return "must be no more than 63 characters" }
        let ok = u.allSatisfy { lowerAlnum($0) || $0 == UInt8(ascii: "-") }
        if !ok || !lowerAlnum(u.first!) || !lowerAlnum(u.last!) {
            return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
        }
        return nil
    }

    static func lowerAlnum(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7A) }
}
