/// Columns aligned as kubectl's tabwriter aligns them: left-justified, three spaces apart,
/// each column at least six wide.
struct Table {
    var header: [String]
    var rows: [[String]] = []
    /// Go's tabwriter pads a cell even when the line's last cell is empty (`-L` columns);
    /// the built-in columns never end empty, so their lines are trimmed.
    var trimTrailingSpace = true

    /// The table as text; `withHeader: false` for rows printed under a header already
    /// shown (watch mode).
    func render(withHeader: Bool = true) -> String {
        let widths = self.widths()
        var out = ""
        let all = (withHeader ? [header] : []) + rows
        for r in all {
            var line = ""
            for (i, cell) in r.enumerated() {
                if i == r.count - 1 {
                    line += cell
                } else {
                    line += cell + String(repeating: " ", count: max(max(0, widths[i] - cell.count) + 3, 6 - cell.count))
                }
            }
            while trimTrailingSpace && line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        return out
    }

    func widths() -> [Int] {
        var w = header.map(\.count)
        for r in rows {
            for (i, c) in r.enumerated() where i < w.count { w[i] = max(w[i], c.count) }
        }
        return w
    }
}
