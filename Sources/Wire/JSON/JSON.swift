import OrderedCollections

/// A JSON value as it appeared on the wire.
///
/// Value type, `Sendable`, safe to share across threads. Objects keep their keys in the order
/// they were written so a stored object reads back as it was given; numbers keep their
/// literal text so `0.5` and `1.0` round-trip exactly.
public enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's literal text, already validated as a JSON number.
    case number(String)
    case string(String)
    case array([JSON])
    case object(JSONObject)

    public static func int(_ value: Int) -> JSON { .number(String(value)) }
    public static func int64(_ value: Int64) -> JSON { .number(String(value)) }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var intValue: Int? {
        if case .number(let n) = self { return Int(n) ?? Double(n).flatMap { $0 == $0.rounded() ? Int(exactly: $0) : nil } }
        return nil
    }

    public var doubleValue: Double? {
        if case .number(let n) = self { return Double(n) }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [JSON]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A short name of the JSON type, for error messages ("string", "object", ...).
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// Member lookup; `.null` for a missing key or a non-object. Setting `.null`
    /// removes the key; setting on a non-object turns it into an object.
    public subscript(key: String) -> JSON {
        get {
            if case .object(let o) = self { return o[key] ?? .null }
            return .null
        }
        set {
            var o = objectValue ?? JSONObject()
            if newValue.isNull { o[key] = nil } else { o[key] = newValue }
            self = .object(o)
        }
    }

    /// Follows a path of keys; `.null` where any step is missing.
    public subscript(path path: [String]) -> JSON {
        get {
            var cur = self
            for k in path { cur = cur[k] }
            return cur
        }
        set {
            guard let first = path.first else { self = newValue; return }
            if newValue.isNull && path.count == 1 { self[first] = .null; return }
            if newValue.isNull && self[first].objectValue == nil { return }
            var child = self[first]
            child[path: Array(path.dropFirst())] = newValue
            self[first] = child
        }
    }
}

/// A JSON object with its keys in insertion order and hashed lookups, so an object with a
/// few hundred thousand labels costs no more per key than one with three.
public struct JSONObject: Sendable, Equatable, Sequence {
    private var storage: OrderedDictionary<String, JSON>

    public init() { storage = [:] }
    public init(_ entries: [(String, JSON)]) {
        storage = [:]
        storage.reserveCapacity(entries.count)
        for (k, v) in entries { storage[k] = v }
    }

    /// The members in order (a copy: iterate the object itself to avoid it).
    public var entries: [(key: String, value: JSON)] { storage.elements.map { ($0.key, $0.value) } }
    public var count: Int { storage.count }
    public var isEmpty: Bool { storage.isEmpty }
    public var keys: [String] { Array(storage.keys) }

    /// Setting `nil` removes the key; setting an existing key keeps its position.
    public subscript(key: String) -> JSON? {
        get { storage[key] }
        set { storage[key] = newValue }
    }

    /// The position of `key` in member order, or nil.
    func index(forKey key: String) -> Int? { storage.index(forKey: key) }

    /// The member at `index` (from `index(forKey:)`).
    func value(at index: Int) -> JSON { storage.values[index] }

    /// Sets `key`, keeping its position when it exists (the parser's duplicate keys: last wins).
    mutating func appendUnchecked(_ key: String, _ value: JSON) {
        storage[key] = value
    }

    public struct Iterator: IteratorProtocol {
        var base: OrderedDictionary<String, JSON>.Iterator
        public mutating func next() -> (key: String, value: JSON)? { base.next() }
    }

    public func makeIterator() -> Iterator { Iterator(base: storage.makeIterator()) }

    /// Member order does not matter for equality, as in JSON itself.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.storage.count == rhs.storage.count else { return false }
        for (k, v) in lhs.storage where rhs.storage[k] != v { return false }
        return true
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(String(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSON)...) { self = .object(JSONObject(elements)) }
}
