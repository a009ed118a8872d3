/// Turns CRI log records (`2016-10-06T00:17:09.669794202Z stdout F text`) back into the
/// lines the container wrote, as `kubectl logs` shows them: `P` records joined with the
/// records that complete them (per stream), the prefix dropped, or with `timestamps` the
/// time of the line's first record kept in front (`2016-10-06T00:17:09.669794202Z text`,
/// trailing zeros of the fraction trimmed as Go's RFC 3339 does).
struct CRILogLines {
    let timestamps: Bool
    /// Records older than this time (same format, compared as text) are skipped.
    let since: String?
    /// A line begun by `P` records, per stream, with its first record's time.
    private var open: [String: (time: String, bytes: [UInt8])] = [:]

    init(timestamps: Bool, since: String?) {
        self.timestamps = timestamps
        self.since = since
    }

    /// One record without its newline; returns the line it completes, if any (with `\n`).
    mutating func feed(_ record: ArraySlice<UInt8>) -> [UInt8]? {
        let fields = record.split(separator: 0x20, maxSplits: 3, omittingEmptySubsequences: false)
        guard fields.count >= 3 else { return nil }
        let time = String(decoding: fields[0], as: UTF8.self)
        let stream = String(decoding: fields[1], as: UTF8.self)
        let partial = fields[2].first == UInt8(ascii: "P")
        let message = fields.count > 3 ? fields[3] : []
        if let since, open[stream] == nil, time < since { return nil }
        var line = open.removeValue(forKey: stream) ?? (time, [])
        line.bytes += message
        if partial {
            open[stream] = line
            return nil
        }
        line.bytes.append(0x0A)
        return render(line)
    }

    /// Lines still open (the log ended inside one): as they are, without a newline.
    mutating func flush() -> [[UInt8]] {
        defer { open = [:] }
        return open.sorted { $0.value.time < $1.value.time }.map { render($0.value) }
    }

    private func render(_ line: (time: String, bytes: [UInt8])) -> [UInt8] {
        timestamps ? Array(Self.goRFC3339Nano(line.time).utf8) + [0x20] + line.bytes : line.bytes
    }

    /// `…09.669794200Z` → `…09.6697942Z`; `…09.000000000Z` → `…09Z`.
    static func goRFC3339Nano(_ t: String) -> String {
        guard t.hasSuffix("Z"), let dot = t.firstIndex(of: ".") else { return t }
        var fraction = t[t.index(after: dot)..<t.index(before: t.endIndex)]
        while fraction.last == "0" { fraction = fraction.dropLast() }
        return String(t[..<dot]) + (fraction.isEmpty ? "" : "." + fraction) + "Z"
    }
}
