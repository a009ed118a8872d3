#if canImport(Glibc)
import Glibc
#endif

/// The CRI log line format the kubelet reads:
/// `2016-10-06T00:17:09.669794202Z stdout F message` — an RFC 3339 UTC time with nanoseconds,
/// the stream, a tag (`F` a full line, `P` a part of a longer one, continued by the next
/// record of the same stream) and the bytes without their newline.
enum CRILogFormat {
    /// One record, with its newline.
    static func record(nanos: UInt64, stream: String, partial: Bool, message: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(40 + message.count)
        out += timestamp(nanos: nanos).utf8
        out.append(0x20)
        out += stream.utf8
        out.append(0x20)
        out.append(partial ? UInt8(ascii: "P") : UInt8(ascii: "F"))
        out.append(0x20)
        out += message
        out.append(0x0A)
        return out
    }

    /// `2016-10-06T00:17:09.669794202Z`: always nine fraction digits, so lines sort and align
    /// (the kubelet parses any RFC 3339 fraction).
    static func timestamp(nanos: UInt64) -> String {
        var seconds = time_t(nanos / 1_000_000_000)
        var tm = Glibc.tm()
        gmtime_r(&seconds, &tm)
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return pad(Int(tm.tm_year) + 1900, 4) + "-" + pad(Int(tm.tm_mon) + 1, 2) + "-" + pad(Int(tm.tm_mday), 2) + "T"
            + pad(Int(tm.tm_hour), 2) + ":" + pad(Int(tm.tm_min), 2) + ":" + pad(Int(tm.tm_sec), 2) + "."
            + pad(Int(nanos % 1_000_000_000), 9) + "Z"
    }
}

/// Cuts one stream's bytes into log records: a record per line, and lines longer than
/// `limit` bytes into `P` records of `limit` bytes (containerd cuts at 16 KiB). Bytes left
/// without a newline at the end of the stream become a last `P` record, so a reader that
/// joins records gives back exactly the bytes written.
struct LineSplitter {
    let limit: Int
    private var pending: [UInt8] = []

    init(limit: Int) { self.limit = max(1, limit) }

    mutating func feed(_ bytes: ArraySlice<UInt8>, emit: (_ message: ArraySlice<UInt8>, _ partial: Bool) -> Void) {
        pending += bytes
        var start = 0
        while start < pending.count {
            let window = pending[start..<min(pending.count, start + limit + 1)]
            if let nl = window.firstIndex(of: 0x0A), nl - start <= limit {
                emit(pending[start..<nl], false)
                start = nl + 1
            } else if pending.count - start > limit {
                emit(pending[start..<start + limit], true)
                start += limit
            } else {
                break
            }
        }
        pending.removeFirst(start)
    }

    mutating func finish(emit: (_ message: ArraySlice<UInt8>, _ partial: Bool) -> Void) {
        if !pending.isEmpty { emit(pending[...], true) }
        pending.removeAll()
    }
}
