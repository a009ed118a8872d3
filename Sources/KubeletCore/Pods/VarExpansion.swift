/// Kubernetes' `$(VAR)` expansion for env values, command and args: `$(NAME)` becomes the
/// variable's value when it is defined and stays as written when not; `$$` is one `$`;
/// any other `$` is kept.
public enum VarExpansion {
    public static func expand(_ input: String, _ lookup: (String) -> String?) -> String {
        let chars = Array(input)
        var out = ""
        var i = 0
        while i < chars.count {
            let c = chars[i]
            guard c == "$", i + 1 < chars.count else {
                out.append(c)
                i += 1
                continue
            }
            let next = chars[i + 1]
            if next == "$" {
                out.append("$")
                i += 2
            } else if next == "(", let close = chars[(i + 2)...].firstIndex(of: ")") {
                let name = String(chars[(i + 2)..<close])
                if let v = lookup(name) { out += v } else { out += "$(" + name + ")" }
                i = close + 1
            } else {
                out.append(c)
                i += 1
            }
        }
        return out
    }
}
