/// One step into a JSON document: an object key or an array index.
public enum JSONPathComponent: Sendable, Equatable {
    case key(String)
    case index(Int)
}

/// A location inside a JSON document, printed the way Kubernetes names fields:
/// `spec.containers[0].image`.
public struct JSONPath: Sendable, Equatable, CustomStringConvertible {
    public var components: [JSONPathComponent]

    public init(_ components: [JSONPathComponent] = []) { self.components = components }

    public init(codingPath: [any CodingKey]) {
        components = codingPath.map { k in
            if let i = k.intValue { return .index(i) }
            return .key(k.stringValue)
        }
    }

    public func appending(_ key: String) -> JSONPath { JSONPath(components + [.key(key)]) }
    public func appending(index: Int) -> JSONPath { JSONPath(components + [.index(index)]) }

    public var description: String {
        var s = ""
        for c in components {
            switch c {
            case .key(let k):
                if !s.isEmpty { s += "." }
                s += k
            case .index(let i): s += "[\(i)]"
            }
        }
        return s
    }
}

extension JSON {
    /// Removes the value at `path` if it is there.
    public mutating func remove(at path: ArraySlice<JSONPathComponent>) {
        guard let first = path.first else { return }
        let rest = path.dropFirst()
        switch (first, self) {
        case (.key(let k), .object(var o)):
            if rest.isEmpty {
                o[k] = nil
            } else if var child = o[k] {
                child.remove(at: rest)
                o[k] = child
            }
            self = .object(o)
        case (.index(let i), .array(var a)) where a.indices.contains(i):
            if rest.isEmpty { return }  // array elements are never unknown fields themselves
            a[i].remove(at: rest)
            self = .array(a)
        default:
            return
        }
    }
}
