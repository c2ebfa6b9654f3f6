import Core
import Foundation
import Testing
@testable import Recorder

@Suite struct SessionArchiveStreamingTests {
    private struct Stop: Error {}

    @Test func cursorReadsGiveWhatTheArrayReadsGive() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("session.ctk")
        let session = SyntheticSession(frameCount: 230)
        try session.write(to: path)
        let archive = try SessionArchive(path: path)

        var events: [PipelineEvent] = []
        try archive.forEachEvent { events.append($0) }
        #expect(events == session.events)
        var finals: [PipelineEvent] = []
        try archive.forEachEvent(kinds: [.sttFinal, .turnEnd]) { finals.append($0) }
        #expect(finals == session.events.filter { [.sttFinal, .turnEnd].contains($0.kind) })
        var none = 0
        try archive.forEachEvent(kinds: []) { _ in none += 1 }
        #expect(none == 0)

        var vad: [VADFrame] = []
        try archive.forEachVADFrame { vad.append($0) }
        #expect(vad == (try archive.vadFrames()))
        #expect(vad.map(\.probability) == (0..<230).map(session.vadProbability(frame:)))

        #expect(try archive.lastEvent() == session.events.last)
        #expect(try archive.latestEventTime() == session.events.map(\.time).max())
        let turn2 = session.events.filter { $0.turn == 2 }.map(\.time)
        let range = try #require(try archive.timeRange(ofTurn: 2))
        #expect(range.from == turn2.min() && range.to == turn2.max())
        #expect(try archive.timeRange(ofTurn: 99) == nil)
    }

    @Test func anEmptyArchiveHasNoLastEvent() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("empty.ctk")
        try SyntheticSession(frameCount: 0).write(to: path)
        let archive = try SessionArchive(path: path)
        #expect(try archive.lastEvent() == nil)
        #expect(try archive.latestEventTime() == nil)
    }

    @Test func aCallersErrorStopsTheReadAndComesBackAsItIs() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("session.ctk")
        try SyntheticSession(frameCount: 100).write(to: path)
        var seen = 0
        #expect(throws: Stop.self) {
            try SessionArchive(path: path).forEachEvent { _ in
                seen += 1
                if seen == 3 { throw Stop() }
            }
        }
        #expect(seen == 3)
    }

    @Test func aDamagedEventIsAnArchiveErrorNamingIt() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("session.ctk")
        try SyntheticSession(frameCount: 100).write(to: path)
        try mutate(path, "UPDATE events SET data = '{oops' WHERE seq = 40")
        let error = #expect(throws: ArchiveError.self) { try SessionArchive(path: path).forEachEvent { _ in } }
        #expect(error?.description.contains("event 40") == true, "\(String(describing: error))")
        try mutate(path, "UPDATE events SET data = '{}', kind = 'nope' WHERE seq = 40")
        let kind = #expect(throws: ArchiveError.self) { try SessionArchive(path: path).forEachEvent { _ in } }
        #expect(kind?.description.contains("unknown kind 'nope'") == true, "\(String(describing: kind))")
    }

    @Test func theStreamReaderDecodesChunksAsTheWholeStreamDecodes() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("session.ctk")
        let session = SyntheticSession(frameCount: 150)
        try session.write(to: path)
        let archive = try SessionArchive(path: path)
        let perFrame = session.format.samplesPerFrame
        // Pages of 16 rows, chunks of 7 frames: chunk and page edges fall everywhere.
        let reader = AudioStreamReader(archive: archive, stream: .bot, pageFrames: 16)
        var samples: [Int16] = []
        for start in stride(from: 0, to: 160, by: 7) { samples += try reader.samples(frames: start..<(start + 7)) }
        let whole = session.stream(.bot)
        #expect(Array(samples.prefix(whole.count)) == whole)
        #expect(samples.dropFirst(whole.count).allSatisfy { $0 == 0 }, "frames past the end are silence")
        // Skipping ahead decodes the frames between; going back starts again.
        #expect(try reader.samples(frames: 3..<5) == Array(whole[(3 * perFrame)..<(5 * perFrame)]))
        #expect(try reader.samples(frames: 90..<91) == Array(whole[(90 * perFrame)..<(91 * perFrame)]))
    }

    @Test func theStreamReaderGivesEveryPacketInOrder() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("session.ctk")
        try SyntheticSession(frameCount: 70).write(to: path)
        let archive = try SessionArchive(path: path)
        let packets = try archive.packets(.mic)
        let reader = AudioStreamReader(archive: archive, stream: .mic, pageFrames: 9)
        for i in packets.indices {
            let packet = try #require(try reader.packet(at: i))
            #expect(packet.codec == packets[i].codec && packet.bytes == packets[i].bytes, "packet \(i)")
        }
        #expect(try reader.packet(at: 70) == nil)
        #expect(try reader.packet(at: 2)?.bytes == packets[2].bytes)
    }
}
