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

    static func quote(_ s: String) -> String {
        if !s.isEmpty && !s.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\n" }) { return s }
        return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    /// Parses `debug`, `info`, `warning`, `error`.
    public static func level(_ s: String) -> Logger.Level? { Logger.Level(rawValue: s.lowercased()) }
}
