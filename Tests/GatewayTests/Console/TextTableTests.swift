import Gateway
import Testing

/// The tables `gateway api` prints: aligned columns, a header, long cells cut with `…`.
@Suite struct TextTableTests {
    @Test func columnsAlignUnderTheirHeadersWithoutTrailingSpaces() {
        let table = TextTable(headers: ["ID", "URL", "ENABLED"], rows: [["wh_1", "https://a.example/hooks", "yes"], ["wh_22", "http://b", "no"]])
        #expect(
            table.render() == """
                ID     URL                      ENABLED
                wh_1   https://a.example/hooks  yes
                wh_22  http://b                 no

                """)
    }

    @Test func longCellsAreCutToTheWidthWithAnEllipsis() {
        let table = TextTable(headers: ["URL", "X"], rows: [["https://example.com/a/very/long/path", "1"]], maxCellWidth: 12)
        let lines = table.render().split(separator: "\n")
        #expect(lines[1] == "https://exa…  1")
        #expect(lines[0] == "URL           X", "the column is as wide as the cut cell")
    }

    @Test func newlinesInACellPrintAsSpacesAndMissingCellsAsEmpty() {
        let table = TextTable(headers: ["A", "B", "C"], rows: [["one\ntwo"], ["x", "y", "z", "ignored"]])
        #expect(table.render() == "A        B  C\none two\nx        y  z\n")
    }

    @Test func aTableWithNoRowsIsItsHeader() {
        #expect(TextTable(headers: ["ID", "STATUS"], rows: []).render() == "ID  STATUS\n")
    }

    @Test func keyValuesAlignValuesAndSkipMissingOnes() {
        let text = TextTable.keyValues([("id", "wh_1"), ("description", nil), ("enabled", "true")])
        #expect(text == "id       wh_1\nenabled  true\n")
    }

    @Test func fitKeepsShortTextAndCutsLongText() {
        #expect(TextTable.fit("short", width: 5) == "short")
        #expect(TextTable.fit("toolong", width: 5) == "tool…")
    }
}
