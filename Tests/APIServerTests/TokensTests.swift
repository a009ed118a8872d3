import Foundation
import Testing
@testable import apiserver

@Suite(.serialized) struct TokensTests {
    /// Token files are created 0600 whatever the umask, hold the whole token, and leave no
    /// temporary file behind; an empty one is replaced.
    @Test func tokenFilesArePrivateAndWhole() throws {
        let dir = NSTemporaryDirectory() + "skiff-tokens-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let old = umask(0)
        defer { umask(old) }
        _ = FileManager.default.createFile(atPath: dir + "/node.token", contents: Data())
        let tokens = try Tokens.loadOrCreate(dataDir: dir)
        for (name, token) in [("admin.token", tokens.admin), ("node.token", tokens.node)] {
            var st = stat()
            #expect(stat(dir + "/" + name, &st) == 0)
            #expect(st.st_mode & 0o777 == 0o600, "\(name)")
            #expect(try String(contentsOfFile: dir + "/" + name, encoding: .utf8) == token + "\n")
            #expect(token.count == 64)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["admin.token", "node.token"])
        // Reused on the next start.
        #expect(try Tokens.loadOrCreate(dataDir: dir).admin == tokens.admin)
    }
}
