#if canImport(Glibc)
import Glibc
#endif
import CLinuxShim
import Foundation
import Synchronization

/// Something the event loop watches: a descriptor plus what to do when it is ready.
/// Every method is called on the loop's thread only.
protocol LoopChannel: AnyObject, Sendable {
    var fd: Int32 { get }
    func handleEvents(_ events: UInt32)
    /// The loop is shutting down: release the descriptor.
    func loopStopped()
}

/// One thread running `epoll_wait` over non-blocking descriptors (level-triggered), with
/// an `eventfd` that wakes it for queued work, pending output and shutdown.
///
/// Thread-safety: `execute`, `scheduleFlush`, `register` and `stop` may be called from any
/// thread; channel callbacks run on the loop thread only, which is the only thread that
/// reads, writes or closes channel descriptors.
public final class EventLoop: @unchecked Sendable {
    let epfd: Int32
    let wakeFD: Int32
    public let name: String

    private struct State {
        var channels: [Int32: any LoopChannel] = [:]
        var tasks: [@Sendable () -> Void] = []
        var flushes: [FramedConnection] = []
        var wakePending = false
        var stopping = false
    }

    private let state = Mutex(State())
    /// Runs on the loop thread after each round of events (see `setIterationHook`).
    private let hook = Mutex<ClosureBox<@Sendable () -> Void>?>(nil)
    /// Reused for every read on this loop (loop thread only).
    let readBuffer: UnsafeMutableRawBufferPointer

    /// The process-wide loop clients share, started on first use. Out of descriptors
    /// (EMFILE for its epoll or eventfd) it waits for some to be freed rather than die.
    public static let shared: EventLoop = {
        while true {
            do { return try EventLoop(name: "wire-loop") } catch {
                RawOutput.standardError("cannot start the event loop, retrying: \(error)\n")
                usleep(100_000)
            }
        }
    }()

    public init(name: String) throws(Errno) {
        self.name = name
        let ep = try systemCall("epoll_create1") { skiff_epoll_create() }
        let wake: Int32
        do {
            wake = try systemCall("eventfd") { skiff_eventfd() }
        } catch {
            close(ep)
            throw error
        }
        do {
            try systemCall("epoll_ctl(add eventfd)") { skiff_epoll_add(ep, wake, UInt32(SKIFF_EPOLLIN), UInt64(UInt32(bitPattern: wake))) }
        } catch {
            close(wake)
            close(ep)
            throw error
        }
        epfd = ep
        wakeFD = wake
        readBuffer = .allocate(byteCount: 256 * 1024, alignment: 16)
        Self.startThread(self)
    }

    /// Threads start from a nonisolated function so the closure cannot inherit an actor.
    nonisolated private static func startThread(_ loop: EventLoop) {
        let t = Thread { loop.run() }
        t.name = loop.name
        t.stackSize = 1 << 20
        t.start()
    }

    /// Installs `f` to run on the loop thread at the end of every round of events: a place
    /// to hand work gathered during the round to other threads in one go.
    public func setIterationHook(_ f: @escaping @Sendable () -> Void) {
        hook.withLock { $0 = ClosureBox(f) }
    }

    /// Runs `work` on the loop thread soon.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        let wake = state.withLock { s -> Bool in
            if s.stopping { return false }
            s.tasks.append(work)
            defer { s.wakePending = true }
            return !s.wakePending
        }
        if wake { _ = skiff_eventfd_signal(wakeFD) }
    }

    func scheduleFlush(_ conn: FramedConnection) {
        let wake = state.withLock { s -> Bool in
            if s.stopping { return false }
            s.flushes.append(conn)
            defer { s.wakePending = true }
            return !s.wakePending
        }
        if wake { _ = skiff_eventfd_signal(wakeFD) }
    }

    func register(_ ch: any LoopChannel, events: UInt32) throws(Errno) {
        let stopping = state.withLock { s -> Bool in
            if s.stopping { return true }
            s.channels[ch.fd] = ch
            return false
        }
        if stopping { throw Errno(ECANCELED, call: "register: event loop stopped") }
        do {
            try systemCall("epoll_ctl(add)") { skiff_epoll_add(epfd, ch.fd, events, UInt64(UInt32(bitPattern: ch.fd))) }
        } catch {
            _ = state.withLock { $0.channels.removeValue(forKey: ch.fd) }
            throw error
        }
    }

    /// Changes the events watched for `fd` (loop thread).
    func modify(_ fd: Int32, events: UInt32) {
        _ = skiff_epoll_mod(epfd, fd, events, UInt64(UInt32(bitPattern: fd)))
    }

    /// Forgets `fd` (loop thread); the caller closes it afterwards.
    func deregister(_ fd: Int32) {
        _ = skiff_epoll_del(epfd, fd)
        _ = state.withLock { $0.channels.removeValue(forKey: fd) }
    }

    /// Stops the loop: every channel is told to release its descriptor, then the thread ends.
    /// Work handed to the loop after this is dropped.
    public func stop() {
        let first = state.withLock { s -> Bool in
            defer { s.stopping = true }
            return !s.stopping
        }
        if first { _ = skiff_eventfd_signal(wakeFD) }
    }

    private func run() {
        var events = [skiff_epoll_event](repeating: skiff_epoll_event(), count: 256)
        while true {
            let n = skiff_epoll_wait(epfd, &events, Int32(events.count), 1000)
            if n < 0 {
                if errno == EINTR { continue }
                fatalError("epoll_wait: \(Errno(errno, call: "epoll_wait"))")
            }
            for k in 0..<Int(n) {
                let fd = Int32(bitPattern: UInt32(truncatingIfNeeded: events[k].data))
                if fd == wakeFD {
                    _ = skiff_eventfd_drain(wakeFD)
                    continue
                }
                let ch = state.withLock { $0.channels[fd] }
                ch?.handleEvents(events[k].events)
            }
            let (tasks, flushes, stopping) = state.withLock { s in
                defer {
                    s.tasks.removeAll(keepingCapacity: true)
                    s.flushes.removeAll(keepingCapacity: true)
                    s.wakePending = false
                }
                return (s.tasks, s.flushes, s.stopping)
            }
            for t in tasks { t() }
            for c in flushes { c.flushFromLoop() }
            if n > 0, let h = hook.withLock({ $0 }) { h.call() }
            if stopping {
                let all = state.withLock { s in
                    defer { s.channels.removeAll() }
                    return Array(s.channels.values)
                }
                for ch in all {
                    _ = skiff_epoll_del(epfd, ch.fd)
                    ch.loopStopped()
                }
                close(wakeFD)
                close(epfd)
                readBuffer.deallocate()
                return
            }
        }
    }
}
