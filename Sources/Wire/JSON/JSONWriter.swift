extension JSON {
    /// Compact JSON bytes, keys in stored order. This is what goes on the wire and into the store.
    public func bytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(to: &out)
        return out
    }

    /// Compact JSON text.
    public var compactString: String { String(decoding: bytes(), as: UTF8.self) }

    /// Appends compact JSON to `out`.
    public func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let v): out.append(contentsOf: (v ? "true" : "false").utf8)
        case .number(let n): out.append(contentsOf: n.utf8)
        case .string(let s): JSON.writeString(s, to: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (k, v) in a.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                v.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (k, v) in o {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                JSON.writeString(k, to: &out)
                out.append(UInt8(ascii: ":"))
                v.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Indented JSON text as kubectl prints it: keys sorted, four-space indent.
    public func pretty(indent: Int = 4, sortKeys: Bool = true) -> String {
        var out: [UInt8] = []
        writePretty(to: &out, level: 0, indent: indent, sortKeys: sortKeys)
        return String(decoding: out, as: UTF8.self)
    }

    func writePretty(to out: inout [UInt8], level: Int, indent: Int, sortKeys: Bool) {
        func newline(_ l: Int) {
            out.append(0x0A)
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: l * indent))
        }
        switch self {
        case .array(let a) where !a.isEmpty:
            out.append(UInt8(ascii: "["))
            for (k, v) in a.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1)
                v.writePretty(to: &out, level: level + 1, indent: indent, sortKeys: sortKeys)
            }
            newline(level)
            out.append(UInt8(ascii: "]"))
        case .object(let o) where !o.isEmpty:
            out.append(UInt8(ascii: "{"))
            let entries = sortKeys ? o.entries.sorted { $0.key < $1.key } : o.entries
            for (k, e) in entries.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1)
                JSON.writeString(e.key, to: &out)
                out.append(contentsOf: ": ".utf8)
                e.value.writePretty(to: &out, level: level + 1, indent: indent, sortKeys: sortKeys)
            }
            newline(level)
            out.append(UInt8(ascii: "}"))
        default:
            write(to: &out)
        }
    }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Writes a JSON string literal with the escapes JSON requires.
    public static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        // Runs without escapes are copied whole: most strings have none.
        s.withUTF8 { buf in
            var run = 0
            for i in 0..<buf.count {
                let c = buf[i]
                guard c < 0x20 || c == 0x22 || c == 0x5C else { continue }
                if run < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[run..<i])) }
                run = i + 1
                switch c {
                case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
                case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                default:
                    out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30])
                    out.append(hexDigits[Int(c >> 4)])
                    out.append(hexDigits[Int(c & 0xF)])
                }
            }
            if run < buf.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[run..<buf.count])) }
        }
        out.append(UInt8(ascii: "\""))
    }
}
