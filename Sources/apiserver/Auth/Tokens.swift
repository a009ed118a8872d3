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
        let fm = FileManager.default
        guard fm.createFile(atPath: file, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw Status.internalError("cannot write \(file)")
        }
        return token
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
