/// What a write verb (apply, create, replace, patch) prints for each object: kubectl's
/// "TYPE/NAME verb" line, or the object in the `-o` format. Tables and custom columns are
/// not printers kubectl offers for writes, so they are refused before anything is sent.
enum WriteOutput {
    static let allowed = "json,jsonpath,jsonpath-file,name,yaml"

    static func format(_ output: String?) throws -> OutputFormat {
        let format = try OutputFormat(output)
        switch format {
        case .customColumns, .wide:
            throw CtlError("unable to match a printer suitable for the output format \"\(output ?? "")\", allowed formats are: \(allowed)")
        default: return format
        }
    }

    /// Prints `object` (just written, or what would be) as `format` asks; `line` is the
    /// table form, e.g. `configmap/x created (dry run)`.
    static func print(_ object: JSON, ref: String, line: String, as format: OutputFormat) throws {
        switch format {
        case .json: Output.print(object.pretty() + "\n")
        case .yaml: Output.print(YAMLOutput.render(object))
        case .name: Output.print(ref + "\n")
        case .jsonpath(let t): Output.print(try ObjectPrinter.jsonpath(t, object))
        default: Output.print(line + "\n")
        }
    }
}
