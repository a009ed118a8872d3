/// Encodes `Encodable` values straight into a `JSON` tree, keys in the order the type
/// encodes them, nil optionals left out (as synthesized `encodeIfPresent` does).
public enum JSONValueEncoder {
    public static func encode<T: Encodable>(_ value: T) throws -> JSON {
        if let j = value as? JSON { return j }
        let root = EncodingNode()
        try value.encode(to: ValueEncoder(node: root, codingPath: []))
        return root.value
    }
}

/// A mutable slot in the tree being built. Containers hold child nodes and assemble
/// their value on demand, so nested containers can be filled in any order.
final class EncodingNode {
    enum Content {
        case single(JSON)
        case object([(String, EncodingNode)])
        case array([EncodingNode])
    }

    var content: Content = .single(.null)

    var value: JSON {
        switch content {
        case .single(let j): return j
        case .object(let entries):
            var o = JSONObject()
            for (k, n) in entries { o[k] = n.value }
            return .object(o)
        case .array(let items): return .array(items.map(\.value))
        }
    }

    func child(forKey key: String) -> EncodingNode {
        let n = EncodingNode()
        if case .object(var entries) = content {
            entries.removeAll { $0.0 == key }
            entries.append((key, n))
            content = .object(entries)
        } else {
            content = .object([(key, n)])
        }
        return n
    }

    func appendChild() -> EncodingNode {
        let n = EncodingNode()
        if case .array(var items) = content {
            items.append(n)
            content = .array(items)
        } else {
            content = .array([n])
        }
        return n
    }
}

struct ValueEncoder: Encoder {
    let node: EncodingNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.content {} else { node.content = .object([]) }
        return KeyedEncodingContainer(KeyedValueEncoder<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = node.content {} else { node.content = .array([]) }
        return UnkeyedValueEncoder(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleValueEncoder(node: node, codingPath: codingPath) }
}

func encodeLeaf<T: Encodable>(_ value: T, into node: EncodingNode, path: [any CodingKey]) throws {
    switch value {
    case let j as JSON: node.content = .single(j)
    case let s as String: node.content = .single(.string(s))
    case let b as Bool: node.content = .single(.bool(b))
    case let i as Int: node.content = .single(.int(i))
    case let i as Int32: node.content = .single(.number(String(i)))
    case let i as Int64: node.content = .single(.int64(i))
    case let i as UInt: node.content = .single(.number(String(i)))
    case let i as UInt32: node.content = .single(.number(String(i)))
    case let i as UInt64: node.content = .single(.number(String(i)))
    case let d as Double:
        guard d.isFinite else { throw EncodingError.invalidValue(d, .init(codingPath: path, debugDescription: "non-finite number")) }
        node.content = .single(.number(d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)))
    default: try value.encode(to: ValueEncoder(node: node, codingPath: path))
    }
}

struct KeyedValueEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { node.child(forKey: key.stringValue).content = .single(.null) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try encodeLeaf(value, into: node.child(forKey: key.stringValue), path: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        ValueEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        ValueEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { ValueEncoder(node: node, codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { ValueEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key]) }
}

struct UnkeyedValueEncoder: UnkeyedEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]
    var count: Int {
        if case .array(let a) = node.content { return a.count }
        return 0
    }

    mutating func encodeNil() throws { node.appendChild().content = .single(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try encodeLeaf(value, into: node.appendChild(), path: codingPath + [IndexKey(count)])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        ValueEncoder(node: node.appendChild(), codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        ValueEncoder(node: node.appendChild(), codingPath: codingPath).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { ValueEncoder(node: node.appendChild(), codingPath: codingPath) }
}

struct SingleValueEncoder: SingleValueEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.content = .single(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try encodeLeaf(value, into: node, path: codingPath) }
}
