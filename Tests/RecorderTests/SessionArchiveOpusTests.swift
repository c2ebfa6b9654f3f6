import Core
import Engines
import Foundation
import Testing
@testable import Recorder

/// Archives whose frames are Opus packets (the default for simulated sessions).
@Suite struct SessionArchiveOpusTests {
    private static let bitrate = 16000

    private func opus(_ format: AudioFormat) throws -> OpusCodec {
        try OpusCodec(sampleRate: format.sampleRate, samplesPerFrame: format.samplesPerFrame, bitrate: Self.bitrate)
    }

    /// Records `session` with Opus on every stream: caller/bot encoded by the writer, the mic
    /// encoded (and decoded) "in the loop" as the simulation does. Returns what the loop decoded.
    private func recordOpus(_ session: SyntheticSession, to path: String) throws -> [Int16] {
        let format = session.format
        let writer = try SessionArchiveWriter(
            path: path, meta: session.meta, format: format, packetCodec: "opus",
            makeCodec: { try OpusCodec(sampleRate: format.sampleRate, samplesPerFrame: format.samplesPerFrame,
                                       bitrate: Self.bitrate) })
        let inLoop = try opus(format)
        var heard: [Int16] = []
        for frame in 0..<session.frameCount {
            let time = SimInstant(microseconds: Int64(frame) * 20_000)
            let packet = try inLoop.encode(session.samples(.mic, frame: frame))
            let micSamples = try inLoop.decode(packet)
            heard += micSamples
            writer.record(stream: .caller, frame: frame, time: time, samples: session.samples(.caller, frame: frame), packet: nil)
            writer.record(stream: .mic, frame: frame, time: time, samples: micSamples, packet: packet)
            writer.record(stream: .bot, frame: frame, time: time, samples: session.samples(.bot, frame: frame), packet: nil)
            writer.record(vadFrame: frame, time: time, probability: 0.5, speech: false)
            if frame % 50 == 49 { try writer.checkpoint(at: time + format.frameDuration) }
        }
        try writer.finish()
        return heard
    }

    @Test func opusRoundTripDecodesExactlyWhatAFreshDecoderGives() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("opus.ctk")
        let session = SyntheticSession(frameCount: 180, seed: 5)
        let heard = try recordOpus(session, to: path)

        let archive = try SessionArchive(path: path)
        #expect(try ArchiveVerifier().verify(archive) == [])
        for stream in AudioStream.sessionStreams {
            let rows = try archive.audioRows(stream)
            #expect(rows.count == 180)
            #expect(rows.allSatisfy { $0.codec == "opus" && $0.data.count < 200 }, "\(stream): compact opus packets")
            let fresh = try opus(session.format)
            let expected = try rows.flatMap { try fresh.decode([UInt8]($0.data)) }
            #expect(try archive.decodedAudio(stream) == expected, "\(stream)")
        }
        // The replay hears exactly what the recording's pipeline heard.
        #expect(try archive.decodedAudio(.mic) == heard)
    }

    @Test func writerEncodesEachStreamWithItsOwnEncoderInFrameOrder() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("opus.ctk")
        let session = SyntheticSession(frameCount: 120, seed: 6)
        _ = try recordOpus(session, to: path)
        let archive = try SessionArchive(path: path)
        for stream in [AudioStream.caller, .bot] {
            let encoder = try opus(session.format)
            let expected = try (0..<session.frameCount).map { try encoder.encode(session.samples(stream, frame: $0)) }
            #expect(try archive.audioRows(stream).map { [UInt8]($0.data) } == expected, "\(stream)")
        }
    }

    @Test func verifierCatchesAnOpusPacketOfTheWrongDuration() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("opus.ctk")
        _ = try recordOpus(SyntheticSession(frameCount: 60, seed: 7), to: path)
        // TOC byte 0x18: SILK narrowband, 60 ms, which is not a 20 ms frame.
        try mutate(path, "UPDATE audio SET data = x'18' WHERE stream = 'bot' AND frame = 10")
        let messages = try ArchiveVerifier().verifyBesideChecksums(path: path).map(\.description)
        #expect(messages.count == 1)
        #expect(messages.first?.hasPrefix("audio: bot frame 10 does not decode") == true, "\(messages)")
        let error = #expect(throws: ArchiveError.self) { try SessionArchive(path: path).decodedAudio(.bot) }
        #expect(error?.description.hasPrefix("\(path): bot frame 10:") == true)
    }
}
