#if canImport(Glibc)
import Glibc
#endif
import Wire

/// Reads one container run's log as `kubectl logs` shows it: the rotated files oldest first
/// (`N.log.4` … `N.log.1`), then the current `N.log`; with `follow`, what is appended later,
/// across rotations (the open file is read to its end before the new one is opened), until
/// the container is no longer running or the caller cancels.
struct ContainerLogFollower {
    let path: String
    let options: LogOptions
    /// How often a followed log is checked for more.
    var pollInterval: Swift.Duration = .milliseconds(100)

    /// Existing files of the log, oldest first.
    static func files(_ path: String) -> [String] {
        var out: [String] = []
        for i in stride(from: 9, through: 1, by: -1) where access("\(path).\(i)", F_OK) == 0 { out.append("\(path).\(i)") }
        if access(path, F_OK) == 0 { out.append(path) }
        return out
    }

    /// `emit` gets whole lines in batches; `running` says whether the container still runs
    /// (asked only while following).
    func run(now: UInt64, emit: ([UInt8]) async throws -> Void, running: () async -> Bool) async throws {
        let since = options.sinceSeconds.map { CRILogFormat.timestamp(nanos: Self.cutoff(now: now, seconds: $0)) }
        var lines = CRILogLines(timestamps: options.timestamps, since: since)
        var out = LineBatch(tail: options.tailLines)
        // The current file is opened first: a rotation after that only adds a `.1` we then read.
        var current = open(path, O_RDONLY | O_CLOEXEC)
        defer { if current >= 0 { close(current) } }
        for file in Self.files(path) where file != path {
            let fd = open(file, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            var records = RecordReader()
            records.drain(fd) { if let l = lines.feed($0) { out.add(l) } }
            close(fd)
        }
        var records = RecordReader()
        if current >= 0 { records.drain(current) { if let l = lines.feed($0) { out.add(l) } } }
        guard options.follow else {
            for l in lines.flush() { out.add(l) }
            try await out.emit(emit)
            return
        }
        try await out.emit(emit)
        out = LineBatch(tail: nil)
        while true {
            if current < 0 {
                current = open(path, O_RDONLY | O_CLOEXEC)
                records = RecordReader()
            }
            var got = false
            if current >= 0 {
                got = records.drain(current) { if let l = lines.feed($0) { out.add(l) } }
                if !got, Self.rotated(path, current) {
                    close(current)
                    current = -1
                    continue
                }
            }
            try await out.emit(emit)
            out = LineBatch(tail: nil)
            if got { continue }
            if !(await running()) {
                if current >= 0 { records.drain(current) { if let l = lines.feed($0) { out.add(l) } } }
                for l in lines.flush() { out.add(l) }
                try await out.emit(emit)
                return
            }
            try await Task.sleep(for: pollInterval)
        }
    }

    /// `seconds` before `now` (nanoseconds), or the epoch when that is further back: any
    /// `sinceSeconds` a caller sends is safe.
    static func cutoff(now: UInt64, seconds: Int) -> UInt64 {
        let (back, overflow) = UInt64(clamping: seconds).multipliedReportingOverflow(by: 1_000_000_000)
        return overflow || back > now ? 0 : now - back
    }

    /// True when `path` is no longer the file `fd` reads (it was renamed away by a rotation).
    static func rotated(_ path: String, _ fd: Int32) -> Bool {
        var open = stat()
        var named = stat()
        guard fstat(fd, &open) == 0 else { return true }
        guard stat(path, &named) == 0 else { return false }
        return open.st_ino != named.st_ino || open.st_dev != named.st_dev
    }
}

/// Whole records (lines) from a file read in pieces.
struct RecordReader {
    private var rest: [UInt8] = []

    /// Reads `fd` to its current end, handing each whole record to `record`; true if
    /// anything was read.
    @discardableResult
    mutating func drain(_ fd: Int32, _ record: (ArraySlice<UInt8>) -> Void) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var any = false
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return any }
            any = true
            rest += buffer[0..<n]
            var start = rest.startIndex
            while let nl = rest[start...].firstIndex(of: 0x0A) {
                record(rest[start..<nl])
                start = nl + 1
            }
            rest.removeFirst(start - rest.startIndex)
        }
    }
}

/// Lines waiting to be sent: all of them, or only the last `tail`.
struct LineBatch {
    let tail: Int?
    private var lines: [[UInt8]] = []
    private var head = 0

    init(tail: Int?) { self.tail = tail }

    mutating func add(_ line: [UInt8]) {
        if tail == 0 { return }
        lines.append(line)
        if let tail, lines.count - head > tail {
            head += 1
            if head > 4096 {
                lines.removeFirst(head)
                head = 0
            }
        }
    }

    func emit(_ sink: ([UInt8]) async throws -> Void) async throws {
        var batch: [UInt8] = []
        for l in lines[head...] {
            batch += l
            if batch.count >= 32 * 1024 {
                try await sink(batch)
                batch = []
            }
        }
        if !batch.isEmpty { try await sink(batch) }
    }
}
