import Engines
import Testing

@Suite struct ServerSentEventParserTests {
    private func parseWhole(_ text: String) throws -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        return try parser.parse(Array(text.utf8))
    }

    private func parse(_ pieces: [[UInt8]]) throws -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        return try pieces.flatMap { try parser.parse($0) }
    }

    /// Two OpenAI-style chunks, a comment, `[DONE]`, with multi-byte UTF-8 in the content.
    private let stream = ": ping\n"
        + "data: {\"choices\":[{\"delta\":{\"content\":\"Hé\"}}]}\n\n"
        + "data: {\"choices\":[{\"delta\":{\"content\":\" 🙂\"}}]}\n\n"
        + "data: [DONE]\n\n"

    private let expected = [
        ServerSentEvent(data: "{\"choices\":[{\"delta\":{\"content\":\"Hé\"}}]}"),
        ServerSentEvent(data: "{\"choices\":[{\"delta\":{\"content\":\" 🙂\"}}]}"),
        ServerSentEvent(data: "[DONE]"),
    ]

    @Test(arguments: ["\n", "\r\n", "\r"])
    func everyLineEndingGivesTheSameEvents(lineEnd: String) throws {
        let text = stream.replacingOccurrences(of: "\n", with: lineEnd)
        #expect(try parseWhole(text) == expected)
    }

    @Test(arguments: ["\n", "\r\n"])
    func everySplitPointGivesTheSameEvents(lineEnd: String) throws {
        let bytes = Array(stream.replacingOccurrences(of: "\n", with: lineEnd).utf8)
        for split in 0...bytes.count {
            let events = try parse([Array(bytes[..<split]), Array(bytes[split...])])
            #expect(events == expected, "split at byte \(split)")
        }
        #expect(try parse(bytes.map { [$0] }) == expected, "byte by byte")
    }

    @Test func crlfSplitBetweenChunksCountsOnce() throws {
        // Were the LF taken as a second line end, the blank line would end the event after "a".
        let events = try parse([Array("data: a\r".utf8), Array("\ndata: b\r\n\r\n".utf8)])
        #expect(events == [ServerSentEvent(data: "a\nb")])
    }

    @Test func fieldsFollowTheStandard() throws {
        let text = "\u{FEFF}event: delta\nid: 7\nretry: 100\nfoo: bar\ndata:x\ndata\ndata:  two spaces\n\n"
        #expect(try parseWhole(text) == [ServerSentEvent(event: "delta", data: "x\n\n two spaces", id: "7")])
        // The event type resets after each event; the id persists.
        #expect(try parseWhole("id: 1\ndata: a\n\ndata: b\n\n") == [
            ServerSentEvent(data: "a", id: "1"), ServerSentEvent(data: "b", id: "1"),
        ])
    }

    @Test func blankLinesAndCommentsAloneDispatchNothing() throws {
        #expect(try parseWhole("\n\n: keep-alive\n\n:\n\nevent: x\n\n").isEmpty)
    }

    @Test func anEventOpenAtTheEndIsNotDispatched() throws {
        var parser = ServerSentEventParser()
        #expect(try parser.parse(Array("data: [DONE]\n".utf8)).isEmpty)
        #expect(try parser.parse(Array("\n".utf8)) == [ServerSentEvent(data: "[DONE]")])
    }

    @Test func anOverlongLineThrows() throws {
        var parser = ServerSentEventParser(maxLineBytes: 16)
        #expect(throws: LanguageModelError.self) {
            _ = try parser.parse(Array("data: 0123456789abcdef\n\n".utf8))
        }
    }
}
