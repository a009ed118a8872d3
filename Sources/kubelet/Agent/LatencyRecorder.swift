import Synchronization

/// Collects request latencies from many agents (thread-safe), for `kubelet simulate`'s
/// heartbeat report.
final class LatencyRecorder: Sendable {
    private let samples = Mutex<[Double]>([])

    func record(_ seconds: Double) { samples.withLock { $0.append(seconds) } }

    /// Takes everything recorded so far.
    func drain() -> [Double] { samples.withLock { s in defer { s.removeAll(keepingCapacity: true) }; return s } }

    static func summary(_ xs: [Double]) -> String {
        guard !xs.isEmpty else { return "n=0" }
        let s = xs.sorted()
        func p(_ q: Double) -> Double { s[min(s.count - 1, max(0, Int((q * Double(s.count)).rounded(.up)) - 1))] * 1000 }
        return "n=\(s.count) p50_ms=\(fmt(p(0.5))) p99_ms=\(fmt(p(0.99))) max_ms=\(fmt(s.last! * 1000))"
    }

    static func fmt(_ v: Double) -> String {
        let r = (v * 1000).rounded() / 1000
        return String(r)
    }
}
