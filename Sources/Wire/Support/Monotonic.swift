#if canImport(Glibc)
import Glibc
#endif

/// Seconds on the monotonic clock (unaffected by wall-clock changes): for deadlines and
/// stall detection, never for timestamps that leave the process.
public enum Monotonic {
    public static func seconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
