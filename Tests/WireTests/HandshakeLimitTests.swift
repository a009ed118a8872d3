import Testing
import Wire

@Suite struct HandshakeLimitTests {
    @Test func helloCarriesTheLargestFrameTheClientAccepts() throws {
        let o: JSONObject = try #require(JSON.parse(Array(#"{"type":"hello","versions":[1],"token":"t","maxFrameBytes":65536}"#.utf8)).objectValue)
        #expect(try Hello(json: o).maxFrameBytes == 65536)
        let absent: JSONObject = try #require(JSON.parse(Array(#"{"type":"hello","versions":[1],"token":"t"}"#.utf8)).objectValue)
        #expect(try Hello(json: absent).maxFrameBytes == nil)
        for bad in [#""big""#, "1024", "4294967296", "-1"] {
            let b: JSONObject = try #require(JSON.parse(Array(#"{"type":"hello","versions":[1],"token":"t","maxFrameBytes":"#.utf8) + Array(bad.utf8) + [125]).objectValue)
            #expect(throws: Status.self) { try Hello(json: b) }
        }
    }

    @Test func logThrottleLetsOneLineThroughPerInterval() {
        let t = LogThrottle(interval: 1)
        #expect(t.admit(now: 10) == 0)
        #expect(t.admit(now: 10.2) == nil)
        #expect(t.admit(now: 10.9) == nil)
        #expect(t.admit(now: 11.0) == 2)
        #expect(t.admit(now: 11.5) == nil)
        #expect(t.admit(now: 12.1) == 1)
    }
}
