import Foundation

/// What `-o` asked for.
enum OutputFormat: Equatable {
    case table, wide, json, yaml, name
    case jsonpath(JSONPathTemplate)
    case customColumns([CustomColumn])

    static let allowed = "custom-columns,custom-columns-file,json,jsonpath,jsonpath-file,name,wide,yaml"

    init(_ s: String?) throws {
        switch s {
        case nil, "": self = .table
        case "wide": self = .wide
        case "json": self = .json
        case "yaml": self = .yaml
        case "name": self = .name
        case let s? where s.hasPrefix("jsonpath=") || s.hasPrefix("jsonpath-file="):
            let isFile = s.hasPrefix("jsonpath-file=")
            let arg = String(s.drop { $0 != "=" }.dropFirst())
            let text = isFile ? try Self.read(arg) : arg
            do { self = .jsonpath(try JSONPathTemplate(text)) } catch {
                throw CtlError("error parsing jsonpath \(text), \(error.message)")
            }
        case let s? where s.hasPrefix("custom-columns="):
            self = .customColumns(try CustomColumn.parse(String(s.dropFirst("custom-columns=".count))))
        case let s? where s.hasPrefix("custom-columns-file="):
            self = .customColumns(try CustomColumn.parseFile(try Self.read(String(s.dropFirst("custom-columns-file=".count)))))
        case "jsonpath", "jsonpath-file", "custom-columns", "custom-columns-file":
            throw CtlError(s!.hasPrefix("custom") ? "custom-columns format specified but no custom columns given"
                                                  : "template format specified but no template given")
        default: throw CtlError("unable to match a printer suitable for the output format \"\(s!)\", allowed formats are: \(Self.allowed)")
        }
    }

    static func read(_ path: String) throws -> String {
        guard let t = try? String(contentsOfFile: path, encoding: .utf8) else { throw CtlError("error reading template \(path), open \(path): no such file or directory") }
        return t
    }

    var isTable: Bool { self == .table || self == .wide }

    /// jsonpath or custom columns: one output for all the objects.
    var isTemplate: Bool {
        switch self {
        case .jsonpath, .customColumns: return true
        default: return false
        }
    }
}

/// One `-o custom-columns` column: a header and a relaxed JSONPath.
struct CustomColumn: Equatable {
    var header: String
    var path: JSONPathTemplate

    /// `NAME:.metadata.name,IMAGE:.spec.containers[*].image`.
    static func parse(_ spec: String) throws -> [CustomColumn] {
        guard !spec.isEmpty else { throw CtlError("custom-columns format specified but no custom columns given") }
        return try spec.split(separator: ",", omittingEmptySubsequences: false).map { part in
            let kv = part.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard kv.count == 2 else { throw CtlError("unexpected custom-columns spec: \(part), expected <header>:<json-path-expr>") }
            return try column(String(kv[0]), String(kv[1]))
        }
    }

    /// A file of two lines: headers, then paths, separated by blanks.
    static func parseFile(_ text: String) throws -> [CustomColumn] {
        let lines = text.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        guard lines.count == 2 else { throw CtlError("invalid template file: expected two lines (headers, then paths), found \(lines.count)") }
        let headers = lines[0].split(whereSeparator: { $0 == " " || $0 == "\t" })
        let paths = lines[1].split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard headers.count == paths.count else {
            throw CtlError("number of headers (\(headers.count)) and field specifications (\(paths.count)) don't match")
        }
        return try zip(headers, paths).map { try column(String($0), String($1)) }
    }

    static func column(_ header: String, _ path: String) throws -> CustomColumn {
        do { return CustomColumn(header: header, path: try JSONPathTemplate.relaxed(path)) } catch {
            throw CtlError("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}': \(path)")
        }
    }

    /// The cell for one object: values joined by commas, `<none>` when there are none.
    func cell(_ o: JSON) -> String {
        let values = (try? path.results(o)) ?? []
        guard let first = values.first, !first.isEmpty else { return "<none>" }
        return values.flatMap { $0 }.map(GoValue.text).joined(separator: ",")
    }
}

/// A decoded JSON value as Go's `%v` prints it (custom columns print this way).
enum GoValue {
    static func text(_ v: JSON) -> String {
        switch v {
        case .string(let s): return s
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        case .null: return "<nil>"
        case .array(let a): return "[" + a.map(text).joined(separator: " ") + "]"
        case .object(let o): return "map[" + o.entries.sorted { $0.key < $1.key }.map { "\($0.key):\(text($0.value))" }.joined(separator: " ") + "]"
        }
    }
}
