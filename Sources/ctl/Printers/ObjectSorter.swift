/// `--sort-by`: orders objects by the first value a relaxed JSONPath finds in each, as
/// kubectl does: numbers by value, quantities (`100m`, `2Gi`) by amount, other strings in
/// natural order (`pod-2` before `pod-10`); objects without the field first.
struct ObjectSorter {
    let path: JSONPathTemplate

    init(_ expression: String) throws {
        do { path = try JSONPathTemplate.relaxed(expression) } catch { throw CtlError("error parsing --sort-by \(expression): \(error.message)") }
    }

    func sort(_ objects: [JSON]) throws -> [JSON] {
        guard objects.count > 1 else { return objects }
        var keyed: [(key: JSON?, object: JSON)] = []
        for o in objects {
            let found: [[JSON]]
            do { found = try path.results(o) } catch { throw CtlError("\(error.message)") }
            keyed.append((found.first?.first, o))
        }
        if !objects.isEmpty && keyed.allSatisfy({ $0.key == nil }) {
            throw CtlError("couldn't find any field with path \"\(path.source)\" in the list of objects")
        }
        // A stable sort: equal keys keep the server's order.
        return keyed.enumerated().sorted { a, b in
            let (x, y) = (a.element.key, b.element.key)
            if Self.less(x, y) { return true }
            if Self.less(y, x) { return false }
            return a.offset < b.offset
        }.map(\.element.object)
    }

    static func less(_ a: JSON?, _ b: JSON?) -> Bool {
        guard let a else { return b != nil }
        guard let b else { return false }
        if let x = a.doubleValue, let y = b.doubleValue { return x < y }
        if let x = a.boolValue, let y = b.boolValue { return !x && y }
        if let x = a.stringValue, let y = b.stringValue {
            if let qx = Quantity.value(x), let qy = Quantity.value(y) { return qx < qy }
            return naturalLess(x, y)
        }
        return GoValue.text(a) < GoValue.text(b)
    }

    /// Runs of digits compare by value, the rest by bytes.
    static func naturalLess(_ a: String, _ b: String) -> Bool {
        var x = Substring(a), y = Substring(b)
        while let cx = x.first, let cy = y.first {
            if cx.isASCII && cx.isNumber && cy.isASCII && cy.isNumber {
                let dx = x.prefix { $0.isASCII && $0.isNumber }, dy = y.prefix { $0.isASCII && $0.isNumber }
                let tx = dx.drop { $0 == "0" }, ty = dy.drop { $0 == "0" }
                if tx.count != ty.count { return tx.count < ty.count }
                if tx != ty { return tx < ty }
                if dx.count != dy.count { return dx.count < dy.count }
                x = x.dropFirst(dx.count)
                y = y.dropFirst(dy.count)
                continue
            }
            if cx != cy { return String(cx).utf8.lexicographicallyPrecedes(String(cy).utf8) }
            x = x.dropFirst()
            y = y.dropFirst()
        }
        return x.isEmpty && !y.isEmpty
    }
}
