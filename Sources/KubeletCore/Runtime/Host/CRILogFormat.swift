import CLinuxShim

/// The CRI log format's times, as the container monitor writes them (CLinuxShim crilog.c,
/// which also cuts and writes the records): `2016-10-06T00:17:09.669794202Z`, UTC with
/// always nine fraction digits, so that such times compare as strings.
enum CRILogFormat {
    static func timestamp(nanos: UInt64) -> String {
        var out = [CChar](repeating: 0, count: 31)
        skiff_cri_timestamp(nanos, &out)
        return String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
