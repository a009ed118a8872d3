/// An object encoded once, outside the writer, with a placeholder where
/// `metadata.resourceVersion` goes; the writer splices in the revision it assigns. This keeps
/// JSON encoding off the single writer thread.
struct EncodedObject: Sendable {
    /// The object; its `metadata.resourceVersion` holds the placeholder, not a revision.
    var json: JSON
    private var template: [UInt8]
    private var slot: Range<Int>

    /// Unguessable per process, so no user-supplied string can be mistaken for it.
    fileprivate static let placeholder: String = {
        var g = SystemRandomNumberGenerator()
        return "\u{1}skiff-rv-" + String(g.next() as UInt64, radix: 36) + String(g.next() as UInt64, radix: 36)
    }()

    private static let placeholderBytes: [UInt8] = {
        var out: [UInt8] = []
        JSON.writeString(placeholder, to: &out)
        return out
    }()

    /// The value to put in `metadata.resourceVersion` before `init(placeheld:)`.
    static var placeholderValue: JSON { .string(placeholder) }

    init(_ object: JSON) {
        var obj = object
        obj[path: ["metadata", "resourceVersion"]] = .string(Self.placeholder)
        self.init(placeheld: obj)
    }

    /// For an object whose `metadata.resourceVersion` already holds `placeholderValue`.
    init(placeheld obj: JSON) {
        let bytes = obj.bytes()
        json = obj
        template = bytes
        slot = Self.find(Self.placeholderBytes, in: bytes) ?? bytes.endIndex..<bytes.endIndex
    }

    /// The first occurrence of `needle` (a plain scan: objects are small and the first
    /// byte, a quote, narrows it fast).
    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Range<Int>? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        return haystack.withUnsafeBufferPointer { h -> Range<Int>? in
            needle.withUnsafeBufferPointer { n -> Range<Int>? in
                var i = 0
                let last = h.count - n.count
                while i <= last {
                    if h[i] == first {
                        var k = 1
                        while k < n.count && h[i + k] == n[k] { k += 1 }
                        if k == n.count { return i..<(i + n.count) }
                    }
                    i += 1
                }
                return nil
            }
        }
    }

    /// The stored size in bytes, with a revision of up to 12 digits in place of the placeholder.
    var storedSize: Int { template.count - slot.count + 14 }

    /// The encoding with `"resourceVersion":"<revision>"`.
    func stamped(_ revision: Int64) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(template.count)
        out.append(contentsOf: template[..<slot.lowerBound])
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: String(revision).utf8)
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: template[slot.upperBound...])
        return out
    }
}
