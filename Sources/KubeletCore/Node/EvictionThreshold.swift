import Wire

/// A hard eviction threshold (`--eviction-hard`), e.g. `memory.available<100Mi` or
/// `nodefs.available<10%`.
public struct EvictionThreshold: Sendable, Equatable {
    public enum Amount: Sendable, Equatable {
        /// Bytes for the `*.available` signals, a count for `*.inodesFree` and `pid.available`.
        case absolute(Int64)
        /// A percentage of the capacity.
        case percentage(Double)
    }

    /// `memory.available`, `nodefs.available`, `nodefs.inodesFree`, `imagefs.available`,
    /// `imagefs.inodesFree` or `pid.available`.
    public var signal: String
    public var amount: Amount

    public init(signal: String, amount: Amount) {
        self.signal = signal
        self.amount = amount
    }

    /// The threshold against a capacity (percentages rounded down).
    public func value(capacity: Int64) -> Int64 {
        switch amount {
        case .absolute(let v): return v
        case .percentage(let p): return Int64(Double(capacity) * p / 100)
        }
    }

    public static let signals: Set<String> = [
        "memory.available", "nodefs.available", "nodefs.inodesFree", "imagefs.available", "imagefs.inodesFree", "pid.available",
    ]

    /// The kubelet's default `--eviction-hard` on Linux.
    public static let defaultHard = "memory.available<100Mi,nodefs.available<10%,nodefs.inodesFree<5%,imagefs.available<15%"

    /// Parses `signal<amount` pairs separated by commas; as in Kubernetes, a given list
    /// replaces the defaults, and "" sets no thresholds.
    public static func parseList(_ text: String, flag: String = "--eviction-hard") throws(NodeConfigError) -> [EvictionThreshold] {
        var out: [EvictionThreshold] = []
        for item in text.split(separator: ",") where !item.isEmpty {
            let parts = item.split(separator: "<", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else { throw NodeConfigError("\(flag): \"\(item)\" is not SIGNAL<AMOUNT (e.g. memory.available<100Mi)") }
            let (signal, value) = (parts[0], parts[1])
            guard signals.contains(signal) else {
                throw NodeConfigError("\(flag): unknown signal \"\(signal)\" (known: \(signals.sorted().joined(separator: ", ")))")
            }
            guard !out.contains(where: { $0.signal == signal }) else { throw NodeConfigError("\(flag): \"\(signal)\" is given twice") }
            if value.hasSuffix("%") {
                guard let p = Double(value.dropLast()), p >= 0, p <= 100 else {
                    throw NodeConfigError("\(flag): \"\(value)\" for \(signal) is not a percentage from 0% to 100%")
                }
                out.append(EvictionThreshold(signal: signal, amount: .percentage(p)))
            } else {
                guard let v = ResourceAmount.bytes(Quantity(value)), v >= 0 else {
                    throw NodeConfigError("\(flag): \"\(value)\" for \(signal) is not a quantity")
                }
                out.append(EvictionThreshold(signal: signal, amount: .absolute(v)))
            }
        }
        return out
    }
}

/// A bad node configuration flag, in words for the command line.
public struct NodeConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
