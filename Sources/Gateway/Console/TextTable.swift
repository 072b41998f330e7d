/// Plain-text tables and key/value lists for terminal output: aligned columns, a header, long cells cut
/// with `…`. Pure functions of their input, so the command-line client's output is unit-tested here.
///
/// Widths count `Character`s (grapheme clusters), which matches the terminal for the ASCII and most
/// Latin text the gateway shows (ids, URLs, times); wide CJK or emoji cells may still misalign a little.
package struct TextTable: Sendable, Equatable {
    /// Column titles, printed as given on the first line.
    package var headers: [String]
    /// One array of cells per row; missing cells print empty, extra ones are ignored.
    package var rows: [[String]]
    /// The widest a cell may print; longer cells are cut to this width, ending with `…`.
    package var maxCellWidth: Int

    /// - Parameters:
    ///   - headers: Column titles.
    ///   - rows: The cells, row by row.
    ///   - maxCellWidth: Cut longer cells (at least 2, so that a cut cell keeps one character and `…`).
    package init(headers: [String], rows: [[String]], maxCellWidth: Int = 48) {
        self.headers = headers
        self.rows = rows
        self.maxCellWidth = max(2, maxCellWidth)
    }

    /// The table: the header line, then one line per row; columns two spaces apart, no trailing spaces,
    /// every line ending in a newline. Control characters in cells (a newline in a description) print as spaces.
    package func render() -> String {
        let cells = ([headers] + rows).map { row in
            headers.indices.map { index in index < row.count ? Self.fit(row[index], width: maxCellWidth) : "" }
        }
        let widths = headers.indices.map { column in cells.map { $0[column].count }.max() ?? 0 }
        return cells.map { row in Self.line(row, widths: widths) + "\n" }.joined()
    }

    /// `key  value` lines with the values aligned after the longest key; a `nil` value skips its line.
    /// Values are not cut: a key/value list shows one thing in full (a URL, a secret).
    package static func keyValues(_ pairs: [(key: String, value: String?)]) -> String {
        let shown = pairs.compactMap { pair in pair.value.map { (pair.key, Self.flatten($0)) } }
        let width = shown.map(\.0.count).max() ?? 0
        return shown.map { key, value in Self.line([key, value], widths: [width, 0]) + "\n" }.joined()
    }

    /// `text` with control characters as spaces, cut to `width` characters with a final `…`.
    package static func fit(_ text: String, width: Int) -> String {
        let flat = flatten(text)
        guard flat.count > width else { return flat }
        return String(flat.prefix(max(0, width - 1))) + "…"
    }

    private static func flatten(_ text: String) -> String {
        String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }

    private static func line(_ cells: [String], widths: [Int]) -> String {
        let padded = zip(cells, widths).map { cell, width in cell + String(repeating: " ", count: max(0, width - cell.count)) }
        let joined = padded.joined(separator: "  ")
        return String(joined.reversed().drop(while: { $0 == " " }).reversed())
    }
}
