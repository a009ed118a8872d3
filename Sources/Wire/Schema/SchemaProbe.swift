import Synchronization

/// Derives a `Schema` from a `Decodable` type by letting the type's own `init(from:)` ask a
/// recording decoder for its keys: `decodeIfPresent` marks an optional field,
/// `decode` a required one, and the value type asked for gives the field's schema.
public enum SchemaProbe {
    private static let cache = Mutex<[ObjectIdentifier: Schema]>([:])

    public static func schema<T: Decodable>(for type: T.Type) -> Schema {
        if let s = cache.withLock({ $0[ObjectIdentifier(type)] }) { return s }
        let s = derive(type, depth: 0)
        cache.withLock { $0[ObjectIdentifier(type)] = s }
        return s
    }

    static func derive<T: Decodable>(_ type: T.Type, depth: Int) -> Schema {
        if let leaf = type as? SchemaLeaf.Type { return leaf.schema }
        switch type {
        case is String.Type: return .string
        case is Bool.Type: return .boolean
        case is Int32.Type: return .int32
        case is Int.Type, is Int8.Type, is Int16.Type, is Int64.Type,
             is UInt.Type, is UInt8.Type, is UInt16.Type, is UInt32.Type, is UInt64.Type: return .integer
        case is Double.Type, is Float.Type: return .number
        default: break
        }
        if let a = type as? ProbeArray.Type { return .array(a.elementSchema(depth: depth + 1)) }
        if let m = type as? ProbeMap.Type { return .map(m.valueSchema(depth: depth + 1)) }
        if let o = type as? ProbeOptional.Type { return o.wrappedSchema(depth: depth + 1) }
        guard depth < 40 else { return .any }
        let recorder = FieldRecorder(depth: depth)
        _ = try? T(from: ProbeDecoder(recorder: recorder))
        return .object(recorder.fields)
    }
}

protocol ProbeArray { static func elementSchema(depth: Int) -> Schema }
extension Array: ProbeArray where Element: Decodable {
    static func elementSchema(depth: Int) -> Schema { SchemaProbe.derive(Element.self, depth: depth) }
}

protocol ProbeMap { static func valueSchema(depth: Int) -> Schema }
extension Dictionary: ProbeMap where Key == String, Value: Decodable {
    static func valueSchema(depth: Int) -> Schema { SchemaProbe.derive(Value.self, depth: depth) }
}

protocol ProbeOptional { static func wrappedSchema(depth: Int) -> Schema }
extension Optional: ProbeOptional where Wrapped: Decodable {
    static func wrappedSchema(depth: Int) -> Schema { SchemaProbe.derive(Wrapped.self, depth: depth) }
}

final class FieldRecorder {
    var fields: [String: Schema.Field] = [:]
    let depth: Int
    init(depth: Int) { self.depth = depth }
}

/// Answers every question with "nothing here" (or a zero value for required leaves),
/// recording what was asked.
struct ProbeDecoder: Decoder {
    let recorder: FieldRecorder
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(ProbeKeyed<Key>(recorder: recorder))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { ProbeUnkeyed() }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { ProbeSingle() }
}

struct ProbeKeyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let recorder: FieldRecorder
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { [] }

    func contains(_ key: Key) -> Bool { false }
    func decodeNil(forKey key: Key) throws -> Bool { true }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        record(type, key, required: true)
        return try T(from: ProbeDecoder(recorder: FieldRecorder(depth: recorder.depth + 1)))
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        record(type, key, required: false)
        return nil
    }

    private func record<T: Decodable>(_ type: T.Type, _ key: Key, required: Bool) {
        recorder.fields[key.stringValue] = .init(schema: SchemaProbe.derive(type, depth: recorder.depth + 1), required: required)
    }

    // The standard library's defaults for these answer through `contains`, which would
    // hide the field; each must record it.
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { record(type, key, required: false); return nil }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { record(type, key, required: false); return nil }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { record(type, key, required: false); return nil }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { record(type, key, required: false); return nil }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { record(type, key, required: false); return nil }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { record(type, key, required: false); return nil }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { record(type, key, required: false); return nil }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { record(type, key, required: false); return nil }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { record(type, key, required: false); return nil }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { record(type, key, required: false); return nil }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { record(type, key, required: false); return nil }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { record(type, key, required: false); return nil }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { record(type, key, required: false); return nil }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { record(type, key, required: false); return nil }


    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        KeyedDecodingContainer(ProbeKeyed<NestedKey>(recorder: FieldRecorder(depth: recorder.depth + 1)))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { ProbeUnkeyed() }
    func superDecoder() throws -> any Decoder { ProbeDecoder(recorder: recorder) }
    func superDecoder(forKey key: Key) throws -> any Decoder { ProbeDecoder(recorder: FieldRecorder(depth: recorder.depth + 1)) }
}

struct ProbeUnkeyed: UnkeyedDecodingContainer {
    var codingPath: [any CodingKey] { [] }
    var count: Int? { 0 }
    var isAtEnd: Bool { true }
    var currentIndex: Int { 0 }
    mutating func decodeNil() throws -> Bool { true }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { throw ProbeEnd() }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> { throw ProbeEnd() }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { throw ProbeEnd() }
    mutating func superDecoder() throws -> any Decoder { throw ProbeEnd() }
}

struct ProbeSingle: SingleValueDecodingContainer {
    var codingPath: [any CodingKey] { [] }
    func decodeNil() -> Bool { false }
    func decode(_ type: Bool.Type) throws -> Bool { false }
    func decode(_ type: String.Type) throws -> String { "" }
    func decode(_ type: Double.Type) throws -> Double { 0 }
    func decode(_ type: Float.Type) throws -> Float { 0 }
    func decode(_ type: Int.Type) throws -> Int { 0 }
    func decode(_ type: Int8.Type) throws -> Int8 { 0 }
    func decode(_ type: Int16.Type) throws -> Int16 { 0 }
    func decode(_ type: Int32.Type) throws -> Int32 { 0 }
    func decode(_ type: Int64.Type) throws -> Int64 { 0 }
    func decode(_ type: UInt.Type) throws -> UInt { 0 }
    func decode(_ type: UInt8.Type) throws -> UInt8 { 0 }
    func decode(_ type: UInt16.Type) throws -> UInt16 { 0 }
    func decode(_ type: UInt32.Type) throws -> UInt32 { 0 }
    func decode(_ type: UInt64.Type) throws -> UInt64 { 0 }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: ProbeDecoder(recorder: FieldRecorder(depth: 0))) }
}

struct ProbeEnd: Error {}
