#if canImport(Glibc)
import Glibc
#endif
import CLinuxShim

/// A started child with stdout and stderr on pipes; the caller owns the two read ends.
struct PipedChild {
    let process: ChildProcess
    let stdout: Int32
    let stderr: Int32

    /// Spawns `request` with stdout and stderr on new pipes. On failure nothing is left open
    /// or running: `SpawnFailure` from the spawn itself, `RuntimeError` otherwise.
    static func spawn(_ request: SpawnRequest) throws -> PipedChild {
        let out = try Pipe()
        let err: Pipe
        do { err = try Pipe() } catch {
            out.closeBoth()
            throw error
        }
        var request = request
        request.stdoutFD = out.write
        request.stderrFD = err.write
        let pid: Int32
        do {
            pid = try ProcessSpawner.spawn(request)
        } catch {
            out.closeBoth()
            err.closeBoth()
            throw error
        }
        close(out.write)
        close(err.write)
        do {
            return PipedChild(process: try ChildProcess(pid: pid), stdout: out.read, stderr: err.read)
        } catch {
            kill(-pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            close(out.read)
            close(err.read)
            throw error
        }
    }
}

/// A close-on-exec pipe; the caller closes both ends.
struct Pipe {
    let read: Int32
    let write: Int32

    init() throws(RuntimeError) {
        var fds: [Int32] = [-1, -1]
        guard skiff_pipe_cloexec(&fds) == 0 else { throw RuntimeError(.internal, "pipe2: \(SpawnFailure.lowercasedError(errno))") }
        read = fds[0]
        write = fds[1]
    }

    func closeBoth() {
        close(read)
        close(write)
    }
}
