/// Columns aligned as kubectl's tabwriter aligns them: left-justified, three spaces apart,
/// each column at least six wide.
struct Table {
    var header: [String]
    var rows: [[String]] = []
    /// Go's tabwriter pads a cell even when the line's last cell is empty (`-L` columns);
    /// the built-in columns never end empty, so their lines are trimmed.
    var trimTrailingSpace = true

    /// The table as text; `withHeader: false` for rows printed under a header already
    /// shown (watch mode), where the header still sets the widths unless `measureHeader`
    /// is false (`--no-headers`: kubectl never writes the header to its tabwriter).
    func render(withHeader: Bool = true, measureHeader: Bool = true) -> String {
        let widths = self.widths(includingHeader: withHeader || measureHeader)
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

    func widths(includingHeader: Bool = true) -> [Int] {
        var w = header.map { includingHeader ? $0.count : 0 }
        for r in rows {
            for (i, c) in r.enumerated() where i < w.count { w[i] = max(w[i], c.count) }
        }
        return w
    }
}
