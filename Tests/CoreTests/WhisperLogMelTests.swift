import Core
import Foundation
import Testing

/// Smart Turn's input features against pipecat's own (Tests/Fixtures/smart-turn/make-reference.py,
/// run with pipecat-ai 1.14.0 on the committed WAVs).
@Suite struct WhisperLogMelTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/smart-turn")

    struct Case {
        var file: String
        var samples: Int
        var probability: Double
        var features: [[Double]]
    }

    static func reference() throws -> (frames: [Int], cases: [Case]) {
        let text = try String(contentsOf: fixtures.appendingPathComponent("reference.json"), encoding: .utf8)
        let json = try JSONParser.parse(text)
        let frames = (json["frames"]?.arrayValue ?? []).compactMap { $0.intValue.map(Int.init) }
        let cases = (json["cases"]?.arrayValue ?? []).map { c in
            Case(file: c["file"]?.stringValue ?? "", samples: Int(c["samples"]?.intValue ?? 0),
                 probability: c["probability"]?.doubleValue ?? -1,
                 features: (c["features"]?.arrayValue ?? []).map { ($0.arrayValue ?? []).compactMap(\.doubleValue) })
        }
        return (frames, cases)
    }

    /// 16 kHz mono PCM16 WAV (44-byte header) as floats in ±1.
    static func samples(_ file: String) throws -> [Float] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent(file))
        return stride(from: 44, to: data.count - 1, by: 2).map { i in
            Float(Int16(bitPattern: UInt16(data[i]) | UInt16(data[i + 1]) << 8)) / 32768
        }
    }

    @Test func featuresMatchPipecatsWithin1e4() throws {
        let (frames, cases) = try Self.reference()
        #expect(cases.count == 5 && frames.count == 48)
        let extractor = WhisperLogMel()
        for c in cases {
            let audio = Array(try Self.samples(c.file).prefix(c.samples))
            let features = extractor.features(of: audio)
            #expect(features.count == 80 * 800)
            var worst = 0.0
            for (column, frame) in frames.enumerated() {
                for mel in 0..<80 {
                    worst = max(worst, abs(Double(features[mel * 800 + frame]) - c.features[column][mel]))
                }
            }
            #expect(worst < 1e-4, "\(c.file) up to \(c.samples) samples: largest difference \(worst)")
        }
    }

    @Test func theSameSamplesGiveTheSameFeatures() throws {
        let audio = try Self.samples("goforward.wav")
        let extractor = WhisperLogMel()
        #expect(extractor.features(of: audio) == WhisperLogMel().features(of: audio))
    }

    @Test func onlyTheLastEightSecondsCount() {
        // 10 s: a loud first 2 s, then a quiet tone; the features see only the last 8 s.
        let tone = (0..<128_000).map { Float(0.1 * sin(Double($0) * 0.05)) }
        let long = [Float](repeating: 0.9, count: 32_000) + tone
        let extractor = WhisperLogMel()
        #expect(extractor.features(of: long) == extractor.features(of: tone))
    }

    @Test func theMelScaleRoundTripsAndTheFiltersHaveEqualArea() {
        for hertz in [0.0, 440, 999, 1000, 3000, 8000] {
            #expect(abs(WhisperLogMel.hertz(ofMel: WhisperLogMel.mel(ofHertz: hertz)) - hertz) < 1e-9)
        }
        // Slaney area normalisation: every triangle's area (weight × 40 Hz bin width, summed) is about 1.
        let filters = WhisperLogMel.melFilters()
        #expect(filters.count == 80)
        for filter in filters.dropFirst(10) {
            let area = filter.weights.reduce(0, +) * 40
            #expect(abs(area - 1) < 0.15, "area \(area)")
        }
    }
}
