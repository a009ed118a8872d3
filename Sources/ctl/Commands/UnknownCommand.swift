/// `ctl frobnicate`: cobra's answer for a verb it does not know, with its suggestions
/// (names within Levenshtein distance 2, ignoring case, or that start with what was typed).
enum UnknownCommand {
    /// The message for `word` when it is not a verb, else nil.
    static func message(for word: String, verbs: [String]) -> String? {
        guard !word.hasPrefix("-"), !verbs.contains(word) else { return nil }
        var text = "error: unknown command \"\(word)\" for \"ctl\""
        let close = suggestions(for: word, verbs: verbs)
        if !close.isEmpty {
            text += "\n\nDid you mean this?\n" + close.map { "\t\($0)\n" }.joined()
        }
        return text
    }

    static func suggestions(for word: String, verbs: [String]) -> [String] {
        let typed = word.lowercased()
        return verbs.sorted().filter { v in
            let name = v.lowercased()
            return distance(typed, name) <= 2 || name.hasPrefix(typed)
        }
    }

    /// Levenshtein distance over characters.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        var row = Array(0...y.count)
        for i in 1...x.count {
            var prev = row[0]
            row[0] = i
            for j in stride(from: 1, through: y.count, by: 1) {
                let cur = row[j]
                row[j] = x[i - 1] == y[j - 1] ? prev : 1 + min(prev, row[j], row[j - 1])
                prev = cur
            }
        }
        return row[y.count]
    }
}
