import Testing
@testable import Wire

@Suite struct DurationLimitTests {
    @Test func nonDurationsAreRefused() {
        for text in ["inf", "nan", "-5", "-5s", "+5s", "1e400", "1e3", "infs", "0x10", "99999999999999999999s", "2562048h", "9223372037"] {
            #expect(Duration.seconds(text) == nil, "\(text)")
        }
        #expect(Duration.seconds("2562047h") == 9_223_369_200)
        #expect(Duration.seconds("0") == 0)
    }

    @Test func flagsSayWhatTheyTake() throws {
        #expect { try Duration.parse("inf", flag: "--event-ttl") } throws: {
            "\($0)" == "--event-ttl must be a duration such as 40s, 5m or 1h, from 0 up to 2562047h47m16s, got \"inf\""
        }
        #expect { try Duration.parse("0s", flag: "--node-monitor-period", positive: true) } throws: {
            "\($0)" == "--node-monitor-period must be a duration such as 40s, 5m or 1h, above 0 up to 2562047h47m16s, got \"0s\""
        }
        #expect { try Duration.parse("3000000000s", flag: "--node-lease-duration", atMost: 2_147_483_647) } throws: {
            "\($0)" == "--node-lease-duration must be a duration such as 40s, 5m or 1h, from 0 up to 596523h14m7s, got \"3000000000s\""
        }
        #expect(try Duration.parse("40s", flag: "--node-lease-duration", positive: true, atMost: 2_147_483_647) == 40)
    }
}

@Suite struct LogfmtEscapingTests {
    @Test func controlCharactersAreEscaped() {
        #expect(LogfmtHandler.quote("n1") == "n1")
        #expect(LogfmtHandler.quote("a b") == "\"a b\"")
        #expect(LogfmtHandler.quote("evil\r\nts=x level=error msg=forged") == #""evil\r\nts=x level=error msg=forged""#)
        #expect(LogfmtHandler.quote("tab\there") == #""tab\there""#)
        #expect(LogfmtHandler.quote("bell\u{7}esc\u{1b}[31mdel\u{7f}csi\u{9b}") == #""bell\u0007esc\u001b[31mdel\u007fcsi\u009b""#)
        #expect(LogfmtHandler.quote("q\"b\\") == #""q\"b\\""#)
        #expect(LogfmtHandler.quote("") == "\"\"")
        #expect(LogfmtHandler.quote("ünïcode") == "ünïcode")
    }
}
