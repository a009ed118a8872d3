import Foundation
import Logging
import Synchronization

/// Structured log lines on stderr: `ts=... level=info component=apiserver msg="..." key=value`.
/// Bootstrapped once in each executable's `main`.
public struct LogfmtHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String

    public init(label: String, level: Logger.Level = .info) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    private static let lock = Mutex(())

    public func log(event: LogEvent) {
        let level = event.level, message = event.message, extra = event.metadata
        var line = "ts=\(Timestamp.formatMicro(Timestamp.nowSeconds())) level=\(level) component=\(label) msg=\(Self.quote(message.description))"
        var all = metadata
        if let extra { all.merge(extra) { $1 } }
        for (k, v) in all.sorted(by: { $0.key < $1.key }) {
            line += " \(k)=\(Self.quote(v.description))"
        }
        line += "\n"
        // Raw write(2): a closed or full stderr loses the line, never the process.
        Self.lock.withLock { _ in RawOutput.standardError(line) }
    }

    /// A value as logfmt writes it: bare when it is safe, otherwise quoted with `\\`, `\"`,
    /// `\n`, `\r`, `\t` and every other control character (C0, DEL, C1) as `\u00XX`, so
    /// bytes a peer sent (a rejected node name) cannot forge lines or drive a terminal.
    /// (Swift strings hold no invalid UTF-8: decoding already replaced it with U+FFFD.)
    static func quote(_ s: String) -> String {
        func isControl(_ v: UInt32) -> Bool { v < 0x20 || (0x7f...0x9f).contains(v) }
        if !s.isEmpty && !s.unicodeScalars.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || isControl($0.value) }) {
            return s
        }
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where isControl(u.value):
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    /// Parses `debug`, `info`, `warning`, `error`.
    public static func level(_ s: String) -> Logger.Level? { Logger.Level(rawValue: s.lowercased()) }
}
