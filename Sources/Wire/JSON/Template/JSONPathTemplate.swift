/// A kubectl JSONPath template (`-o jsonpath=...`, custom columns, `--sort-by`), parsed as
/// client-go's jsonpath parser reads it: text outside `{...}` is printed as is; inside,
/// `.field`, `..field`, `[0]`, `[1:3]`, `[-1:]`, `[*]`, `['key']`, `[0,2]`,
/// `[?(@.k=="v")]`, `"quoted text"`, `range EXPR` ... `end`; `@` and `$` name the current
/// value.
public struct JSONPathTemplate: Sendable, Equatable {
    /// One `{...}` action or run of plain text.
    public indirect enum Node: Sendable, Equatable {
        case text(String)
        /// Steps applied in order to the current values.
        case path([Step])
        /// `{range path}` ... `{end}`: `body` runs once per value the path yields.
        case range([Step], body: [Node])
    }

    public indirect enum Step: Sendable, Equatable {
        case field(String)
        /// `.*` or `[*]`: every element or member value.
        case wildcard
        /// `..`: the value and every object or array under it.
        case recursive
        /// `[start:end:step]`; `[i]` is `start: i, end: nil, single: true`.
        case slice(start: Int?, end: Int?, step: Int?, single: Bool)
        case union([[Step]])
        case filter(Filter)
        case literal(JSONPathValue)
    }

    public struct Filter: Sendable, Equatable {
        public var left: [Step]
        /// nil: an existence test (`[?(@.x)]`).
        public var op: String?
        public var right: [Step]
    }

    public let source: String
    public let nodes: [Node]

    public init(_ source: String) throws(JSONPathError) {
        self.source = source
        var p = JSONPathParser(source)
        nodes = try p.parseTemplate()
    }

    /// kubectl's relaxed form for custom columns and `--sort-by`: `.a.b`, `a.b` and `{.a.b}`
    /// all mean `{.a.b}`.
    public static func relaxed(_ expression: String) throws(JSONPathError) -> JSONPathTemplate {
        var e = Substring(expression)
        if e.hasPrefix("{") && e.hasSuffix("}") && e.count >= 2 { e = e.dropFirst().dropLast() }
        if e.hasPrefix(".") { e = e.dropFirst() }
        guard !e.isEmpty else { throw JSONPathError("jsonpath expression cannot be empty") }
        return try JSONPathTemplate("{." + e + "}")
    }
}

/// A literal inside a filter: `"text"`, `'text'`, `3`, `true`.
public enum JSONPathValue: Sendable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
}

public struct JSONPathError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
