import Testing
@testable import Wire

/// Quantities follow Kubernetes' ParseQuantity grammar (no inf, nan or hex), and the
/// saturating conversions never trap.
@Suite struct QuantityGrammarTests {
    @Test func grammar() {
        #expect(Quantities.value("1.5") == 1.5)
        #expect(Quantities.value("+2") == 2)
        #expect(Quantities.value("-1") == -1)
        #expect(Quantities.value(".5") == 0.5)
        #expect(Quantities.value("1.G") == 1e9)
        #expect(Quantities.value("1Ki") == 1024)
        #expect(Quantities.value("1e3") == 1000)
        #expect(Quantities.value("1E+3") == 1000)
        #expect(Quantities.value("25e-2") == 0.25)
        #expect(Quantities.value("1E") == 1e18)
        #expect(Quantities.value("1e400") == .infinity)
        #expect(Quantities.value(.number("2.5e3")) == 2500)
        for bad in ["", "+inf", "-inf", "inf", "nan", "NaN", "0x10", "1 ", " 1", "1.5.5", "Ki", "1Mb"] {
            #expect(Quantities.value(bad) == nil, "\(bad)")
        }
        #expect(Quantities.parse("1ki") == .failure(.suffix))
        #expect(Quantities.parse("1e") == .failure(.suffix))
        #expect(Quantities.parse("+inf") == .failure(.format))
        #expect(Quantities.parse("Ki") == .failure(.numeric))
        #expect(Quantities.ParseError.format.message == "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
    }

    @Test func saturatingArithmetic() {
        #expect(Int64(saturating: Double.nan) == 0)
        #expect(Int64(saturating: Double.infinity) == 9_223_372_036_854_775_807)
        #expect(Int64(saturating: -Double.infinity) == -9_223_372_036_854_775_808)
        #expect(Int64(saturating: 1e19) == 9_223_372_036_854_775_807)
        #expect(Int64(saturating: 9_223_372_036_854_774_784.0) == 9_223_372_036_854_774_784)
        #expect(Int64(saturating: -2.7) == -2)
        #expect(Int64(9_000_000_000_000_000_000).saturatingAdd(1_000_000_000_000_000_000) == 9_223_372_036_854_775_807)
        #expect(Int64(-9_000_000_000_000_000_000).saturatingAdd(-1_000_000_000_000_000_000) == -9_223_372_036_854_775_808)
        #expect(Int64(-9_000_000_000_000_000_000).saturatingSubtract(1_000_000_000_000_000_000) == -9_223_372_036_854_775_808)
        #expect(Int64(5).saturatingSubtract(7) == -2)
        #expect(Int64(100_000_000_000_000).saturatingMultiply(100_000) == 9_223_372_036_854_775_807)
        #expect(Int64(-100_000_000_000_000).saturatingMultiply(100_000) == -9_223_372_036_854_775_808)
        #expect(Int64(3).saturatingMultiply(4) == 12)
    }
}
