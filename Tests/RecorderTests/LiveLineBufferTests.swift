import Testing
@testable import Recorder

@Suite struct LiveLineBufferTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func splitsLinesAcrossChunks() {
        var buffer = LiveLineBuffer(maxLineBytes: 100)
        #expect(buffer.append(bytes("{\"a\":")) == [])
        #expect(buffer.pendingBytes == 5)
        #expect(buffer.append(bytes("1}\n{\"b\":2}\n\n{\"c\"")) == [.line(bytes("{\"a\":1}")), .line(bytes("{\"b\":2}")), .line([])])
        #expect(buffer.append(bytes(":3}")) == [])
        #expect(buffer.finish() == .line(bytes("{\"c\":3}")))
        #expect(buffer.finish() == nil)
    }

    @Test func aLineOfExactlyTheLimitIsKept() {
        var buffer = LiveLineBuffer(maxLineBytes: 8)
        #expect(buffer.append(bytes("12345678\n")) == [.line(bytes("12345678"))])
        #expect(buffer.append(bytes("1234")) == [])
        #expect(buffer.append(bytes("5678\n")) == [.line(bytes("12345678"))])
    }

    @Test func anOversizedLineIsReportedOnceAndSkippedWithoutGrowingTheBuffer() {
        var buffer = LiveLineBuffer(maxLineBytes: 8)
        #expect(buffer.append(bytes("ok\n123456789")) == [.line(bytes("ok")), .oversized])
        #expect(buffer.pendingBytes == 0)
        // The rest of the long line streams in and is dropped, however long it is.
        for _ in 0..<1000 {
            #expect(buffer.append([UInt8](repeating: 0x41, count: 64)) == [])
            #expect(buffer.pendingBytes <= 8)
        }
        #expect(buffer.append(bytes("AAA\nnext\n")) == [.line(bytes("next"))])
        // Split across chunks: still caught when it passes the limit.
        #expect(buffer.append(bytes("12345")) == [])
        #expect(buffer.append(bytes("6789")) == [.oversized])
        #expect(buffer.append(bytes("\nlast")) == [])
        #expect(buffer.finish() == .line(bytes("last")))
    }

    @Test func anOversizedLastLineIsNotReturnedAtTheEnd() {
        var buffer = LiveLineBuffer(maxLineBytes: 4)
        #expect(buffer.append(bytes("abcdefgh")) == [.oversized])
        #expect(buffer.finish() == nil)
    }
}
