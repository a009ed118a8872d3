import Foundation

/// The admin and node join tokens, kept in the data dir (`admin.token`, `node.token`, one
/// line each, mode 0600), created on first start and reused after.
struct Tokens: Sendable {
    var admin: String
    var node: String

    static func loadOrCreate(dataDir: String) throws(Status) -> Tokens {
        Tokens(admin: try loadOrCreate(file: dataDir + "/admin.token"), node: try loadOrCreate(file: dataDir + "/node.token"))
    }

    static func loadOrCreate(file: String) throws(Status) -> String {
        if let s = try? String(contentsOfFile: file, encoding: .utf8) {
            let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
            if !t.isEmpty { return t }
        }
        let token = randomToken()
        do {
            try writeSecret(Array((token + "\n").utf8), to: file)
        } catch {
            throw Status.internalError("cannot write \(file): \(error)")
        }
        return token
    }

    /// Writes `bytes` to `file` so that no one else can ever read them and a crash leaves
    /// either the old file or the whole new one: a temporary file created 0600 (O_EXCL), written,
    /// fsynced, renamed over `file`, then the directory fsynced so the rename is durable.
    static func writeSecret(_ bytes: [UInt8], to file: String) throws(Errno) {
        let tmp = file + ".tmp-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let fd = try systemCall("open \(tmp)") { open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600) }
        do throws(Errno) {
            var done = 0
            while done < bytes.count {
                let from = done
                done += try systemCall("write \(tmp)") { bytes.withUnsafeBytes { write(fd, $0.baseAddress! + from, $0.count - from) } }
            }
            try systemCall("fsync \(tmp)") { fsync(fd) }
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
        close(fd)
        do throws(Errno) {
            try systemCall("rename \(tmp)") { rename(tmp, file) }
        } catch {
            unlink(tmp)
            throw error
        }
        let dir = (file as NSString).deletingLastPathComponent
        let dfd = try systemCall("open \(dir)") { open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(dfd) }
        try systemCall("fsync \(dir)") { fsync(dfd) }
    }

    /// 32 random bytes from the kernel, hex-encoded.
    static func randomToken() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<32).map { _ in
            let b = UInt8.random(in: 0...255, using: &g)
            return String(b, radix: 16).count == 1 ? "0" + String(b, radix: 16) : String(b, radix: 16)
        }.joined()
    }

    /// Compares in time independent of where the strings differ.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var diff = UInt8(x.count == y.count ? 0 : 1)
        let n = max(x.count, y.count)
        for i in 0..<n {
            let p = i < x.count ? x[i] : 0
            let q = i < y.count ? y[i] : 0
            diff |= p ^ q
        }
        return diff == 0
    }
}
