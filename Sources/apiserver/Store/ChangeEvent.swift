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
    /// The object after the change; for a delete, its last state stamped with the delete's revision.
    var object: JSON
    var bytes: [UInt8]
    /// The object before the change (nil for a create), so filtered watches can tell an
    /// object leaving their selector from one changing inside it.
    var previous: JSON?
}
