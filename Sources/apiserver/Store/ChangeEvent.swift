/// One committed change, as the watch hub fans it out.
struct ChangeEvent: Sendable {
    enum Kind: Int64, Sendable {
        case added = 1, modified = 2, deleted = 3

        var watchType: String {
            switch self {
            case .added: return "ADDED"
            case .modified: return "MODIFIED"
            case .deleted: return "DELETED"
            }
        }
    }

    var revision: Int64
    var key: ObjectKey
    var kind: Kind
    /// The object after the change, encoded; for a delete, its last state stamped with the
    /// delete's revision. This is what watchers receive.
    var bytes: [UInt8]
    /// The same object parsed, when the writer had it at hand (its resourceVersion may be a
    /// placeholder; only labels and fields are read from it).
    var object: JSON?
    /// The object before the change (nil for a create), so filtered watches can tell an
    /// object leaving their selector from one changing inside it: encoded, and parsed when
    /// at hand.
    var previousBytes: [UInt8]?
    var previous: JSON?
}
