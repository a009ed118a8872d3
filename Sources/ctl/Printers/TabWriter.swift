/// Aligns tab-separated cells as Go's text/tabwriter does for kubectl describe: every cell
/// but a line's last is padded to the widest cell of its column block (the run of
/// consecutive lines that have a cell in that column) plus `padding` spaces. A line
/// without tabs ends the blocks around it, so each section aligns on its own.
enum TabWriter {
    static func render(_ lines: [String], padding: Int = 2) -> String {
        let cells = lines.map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        var widths = cells.map { [Int](repeating: 0, count: $0.count - 1) }
        align(cells, &widths, 0..<cells.count, column: 0, padding: padding)
        var out = ""
        for (row, line) in cells.enumerated() {
            for (i, cell) in line.enumerated() {
                out += cell
                if i < line.count - 1 { out += String(repeating: " ", count: widths[row][i] - cell.count) }
            }
            out += "\n"
        }
        return out
    }

    private static func align(_ cells: [[String]], _ widths: inout [[Int]], _ range: Range<Int>, column: Int, padding: Int) {
        var row = range.lowerBound
        while row < range.upperBound {
            guard cells[row].count - 1 > column else { row += 1; continue }
            var end = row
            while end < range.upperBound && cells[end].count - 1 > column { end += 1 }
            let width = cells[row..<end].map { $0[column].count }.max()! + padding
            for r in row..<end { widths[r][column] = width }
            align(cells, &widths, row..<end, column: column + 1, padding: padding)
            row = end
        }
    }
}
