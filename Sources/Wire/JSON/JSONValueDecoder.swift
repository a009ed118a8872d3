/// Decodes `Decodable` types straight from a `JSON` tree and reports the object keys the
/// type did not ask for: the fields Skiff does not know.
///
/// Not thread-safe per call; each call is independent. Synthesized `Codable` asks for every
/// property's key (`decodeIfPresent`), so "asked for" is exactly "known to the type".
public enum JSONValueDecoder {
    public struct Result<T> {
        public var value: T
        /// Paths of object keys the type did not read, in document order.
        public var unknownFields: [JSONPath]
    }

    public static func decode<T: Decodable>(_ type: T.Type, from json: JSON) throws -> Result<T> {
        let state = DecodeState()
        let value = try T(from: ValueDecoder(value: json, path: nil, state: state))
        return Result(value: value, unknownFields: state.unknown)
    }
}

final class DecodeState {
    var unknown: [JSONPath] = []
}

struct IndexKey: CodingKey {
    var stringValue: String { String(intValue!) }
    var intValue: Int?
    init(_ i: Int) { intValue = i }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.intValue = intValue }
}

/// The path to a value as a linked list, turned into `[CodingKey]` only when asked (errors,
/// unknown fields), so decoding does not build an array per nested value.
final class PathNode {
    let key: any CodingKey
    let parent: PathNode?
    init(_ key: any CodingKey, _ parent: PathNode?) {
        self.key = key
        self.parent = parent
    }

    static func keys(_ node: PathNode?) -> [any CodingKey] {
        var out: [any CodingKey] = []
        var n = node
        while let c = n {
            out.append(c.key)
            n = c.parent
        }
        return out.reversed()
    }
}

struct ValueDecoder: Decoder {
    let value: JSON
    let path: PathNode?
    let state: DecodeState
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var codingPath: [any CodingKey] { PathNode.keys(path) }

    func mismatch<T>(_ t: T.Type) -> DecodingError {
        .typeMismatch(t, .init(codingPath: codingPath, debugDescription: "expected \(expectedName(t)), got \(value.typeName)"))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let o) = value else { throw mismatch([String: JSON].self) }
        return KeyedDecodingContainer(KeyedValueContainer<Key>(object: o, path: path, state: state))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let a) = value else { throw mismatch([JSON].self) }
        return UnkeyedValueContainer(array: a, path: path, state: state)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }
}

func expectedName<T>(_ t: T.Type) -> String {
    switch t {
    case is String.Type: return "string"
    case is Bool.Type: return "boolean"
    case is Int.Type, is Int32.Type, is Int64.Type, is UInt.Type, is UInt32.Type, is UInt64.Type, is Int16.Type, is UInt16.Type, is Int8.Type, is UInt8.Type: return "integer"
    case is Double.Type, is Float.Type: return "number"
    case is [String: JSON].Type: return "object"
    case is [JSON].Type: return "array"
    default: return "\(t)"
    }
}

extension ValueDecoder: SingleValueDecodingContainer {
    func decodeNil() -> Bool { value.isNull }
    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let b) = value else { throw mismatch(type) }
        return b
    }
    func decode(_ type: String.Type) throws -> String {
        guard case .string(let s) = value else { throw mismatch(type) }
        return s
    }
    func decode(_ type: Double.Type) throws -> Double {
        guard case .number(let n) = value, let d = Double(n) else { throw mismatch(type) }
        return d
    }
    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        guard case .number(let n) = value else { throw mismatch(type) }
        if let i = I(n) { return i }
        // 1.0 and 1e3 are integers too, as Go's decoder accepts them.
        if let d = Double(n), d == d.rounded(), let i = I(exactly: d) { return i }
        throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "\(n) is not an integer in range"))
    }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if type == JSON.self { return value as! T }
        return try T(from: self)
    }
}

/// Records which keys were read (a bit per entry of the object); what was not read is
/// reported when the container goes away (at the end of the type's `init(from:)`).
final class KeyedValueContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: JSONObject
    let path: PathNode?
    let state: DecodeState
    private var readBits: UInt64 = 0
    private var readMore: [Bool] = []
    private var readAll = false

    init(object: JSONObject, path: PathNode?, state: DecodeState) {
        self.object = object
        self.path = path
        self.state = state
    }

    var codingPath: [any CodingKey] { PathNode.keys(path) }

    deinit {
        guard !readAll else { return }
        for (i, e) in object.enumerated() where !wasRead(i) {
            state.unknown.append(JSONPath(codingPath: codingPath).appending(e.key))
        }
    }

    private func wasRead(_ i: Int) -> Bool {
        i < 64 ? readBits & (1 << UInt64(i)) != 0 : (i - 64 < readMore.count && readMore[i - 64])
    }

    /// The value for `key`, marking it read.
    private func lookup(_ key: Key) -> JSON? {
        let name = key.stringValue
        guard let i = object.index(forKey: name) else { return nil }
        if i < 64 {
            readBits |= 1 << UInt64(i)
        } else {
            if readMore.count <= i - 64 { readMore += Array(repeating: false, count: i - 64 - readMore.count + 1) }
            readMore[i - 64] = true
        }
        return object.value(at: i)
    }

    var allKeys: [Key] {
        readAll = true
        return object.keys.compactMap { Key(stringValue: $0) }
    }

    func contains(_ key: Key) -> Bool { lookup(key) != nil }

    func child(_ key: Key) throws -> ValueDecoder {
        guard let v = lookup(key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "required field \"\(key.stringValue)\" is missing"))
        }
        return ValueDecoder(value: v, path: PathNode(key, path), state: state)
    }

    func decodeNil(forKey key: Key) throws -> Bool { (lookup(key) ?? .null).isNull }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try child(key).decode(type)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let v = lookup(key), !v.isNull else { return nil }
        return try ValueDecoder(value: v, path: PathNode(key, path), state: state).decode(type)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try child(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        readAll = true
        return ValueDecoder(value: .object(object), path: path, state: state)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder { try child(key) }
}

struct UnkeyedValueContainer: UnkeyedDecodingContainer {
    let array: [JSON]
    let path: PathNode?
    let state: DecodeState
    var currentIndex = 0

    init(array: [JSON], path: PathNode?, state: DecodeState) {
        self.array = array
        self.path = path
        self.state = state
    }

    var codingPath: [any CodingKey] { PathNode.keys(path) }

    var count: Int? { array.count }
    var isAtEnd: Bool { currentIndex >= array.count }

    mutating func next() throws -> ValueDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(JSON.self, .init(codingPath: codingPath, debugDescription: "array ended"))
        }
        let d = ValueDecoder(value: array[currentIndex], path: PathNode(IndexKey(currentIndex), path), state: state)
        currentIndex += 1
        return d
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return false }
        if array[currentIndex].isNull { currentIndex += 1; return true }
        return false
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decode(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }

    mutating func superDecoder() throws -> any Decoder { try next() }
}

/// `JSON` itself decodes from any value, so API types can carry free-form parts.
extension JSON: Decodable {
    public init(from decoder: any Decoder) throws {
        if let d = decoder as? ValueDecoder {
            self = d.value
            return
        }
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .int64(i) }
        else if let d = try? c.decode(Double.self) { self = .number(String(d)) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSON].self) { self = .array(a) }
        else { self = .object(JSONObject(try c.decode([String: JSON].self).sorted { $0.key < $1.key }.map { ($0.key, $0.value) })) }
    }
}

extension JSON: Encodable {
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .number(let n):
            var c = encoder.singleValueContainer()
            if let i = Int64(n) { try c.encode(i) } else { try c.encode(Double(n) ?? 0) }
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .array(let a):
            var c = encoder.unkeyedContainer()
            for v in a { try c.encode(v) }
        case .object(let o):
            var c = encoder.container(keyedBy: AnyKey.self)
            for (k, v) in o { try c.encode(v, forKey: AnyKey(k)) }
        }
    }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}
