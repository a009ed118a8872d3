/// kubectl accepts global flags before or after the verb (`ctl -n kube-system get pods`).
/// ArgumentParser wants them after it, so flags written before the verb are moved there.
enum ArgumentOrder {
    static func normalize(_ args: [String]) -> [String] {
        var before: [String] = []
        var i = 0
        while i < args.count {
            let a = args[i]
            let name = a.split(separator: "=", maxSplits: 1).first.map(String.init) ?? a
            if GlobalOptions.valueFlags.contains(name) {
                before.append(a)
                if !a.contains("="), i + 1 < args.count {
                    before.append(args[i + 1])
                    i += 1
                }
                i += 1
                continue
            }
            if GlobalOptions.boolFlags.contains(a) {
                before.append(a)
                i += 1
                continue
            }
            break
        }
        guard i < args.count, !before.isEmpty else { return args }
        // Subcommands with their own subcommands are not used, so the verb is one word.
        return [args[i]] + before + Array(args[(i + 1)...])
    }

    /// kubectl flags that may be given without a value (pflag's NoOptDefVal): ArgumentParser
    /// options need one, so a bare flag gets kubectl's default value spelled out. As in
    /// kubectl, `--dry-run client` is a bare `--dry-run` followed by an argument.
    static let bareFlagValues: [String: String] = [
        "--dry-run": DryRun.bareValue, "--cascade": "background", "--wait": "true",
    ]

    static func expandBareFlags(_ args: [String]) -> [String] {
        var out: [String] = []
        for (i, a) in args.enumerated() {
            if a == "--" { return out + args[i...] }
            out.append(bareFlagValues[a].map { "\(a)=\($0)" } ?? a)
        }
        return out
    }
}
