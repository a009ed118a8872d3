/// A field selector: `metadata.name=web,spec.nodeName!=`, requirements ANDed. Which
/// fields a resource supports is the server's business (`FieldSelectable`).
public struct FieldSelector: Sendable, Equatable, CustomStringConvertible {
    public struct Requirement: Sendable, Equatable {
        public var field: String
        public var value: String
        public var negated: Bool
    }

    public var requirements: [Requirement]

    public init(requirements: [Requirement] = []) { self.requirements = requirements }

    public var isEmpty: Bool { requirements.isEmpty }

    public var description: String {
        requirements.map { "\($0.field)\($0.negated ? "!=" : "=")\($0.value)" }.joined(separator: ",")
    }

    /// True if every requirement holds; `value(field)` gives the object's value for a field.
    public func matches(_ value: (String) -> String) -> Bool {
        requirements.allSatisfy { r in (value(r.field) == r.value) != r.negated }
    }

    public static func parse(_ text: String) throws(SelectorError) -> FieldSelector {
        var reqs: [Requirement] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: true) {
            let p = part.trimmingSpaces
            if p.isEmpty { continue }
            let (field, value, negated): (Substring, Substring, Bool)
            if let r = p.firstRange(of: "!=") {
                (field, value, negated) = (p[..<r.lowerBound], p[r.upperBound...], true)
            } else if let r = p.firstRange(of: "==") {
                (field, value, negated) = (p[..<r.lowerBound], p[r.upperBound...], false)
            } else if let r = p.firstRange(of: "=") {
                (field, value, negated) = (p[..<r.lowerBound], p[r.upperBound...], false)
            } else {
                throw SelectorError(message: "invalid field selector: \"\(p)\": expected field=value, field==value or field!=value")
            }
            let f = field.trimmingSpaces
            guard !f.isEmpty else { throw SelectorError(message: "invalid field selector: \"\(p)\": empty field name") }
            reqs.append(Requirement(field: String(f), value: String(value.trimmingSpaces), negated: negated))
        }
        return FieldSelector(requirements: reqs)
    }
}

extension StringProtocol {
    var trimmingSpaces: Substring {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }

}
