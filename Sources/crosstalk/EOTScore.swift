import ArgumentParser
import Core
import Engines
import Foundation
import Recorder

/// `crosstalk eot`: end-of-turn models, for researchers and to check a model from outside.
struct EOT: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eot", abstract: "End-of-turn models: score audio with Smart Turn v3.2.",
        subcommands: [EOTScore.self])
}

/// `crosstalk eot score FILE.wav --at T[,T…]`: Smart Turn v3.2's P(turn complete) for the audio
/// from the file's start to each instant, taken as one user turn.
struct EOTScore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Print Smart Turn v3.2's P(turn complete) for the audio from the file's start to each instant.",
        discussion: """
            One line per instant: `T probability`. The audio (any rate libsndfile reads; channels mixed) is \
            resampled to 16 kHz; the model sees the last 8 s before T (Whisper log-mel features computed in \
            Swift), run in-process with ONNX Runtime on one thread. `make engines` fetches the model.
            Example: crosstalk eot score turn.wav --at 1.2,2.5,3.0
            """)

    /// The longest file scored (the model sees 8 s; a long file is read whole).
    static let maxSeconds = 600.0

    @Argument(help: "An audio file (WAV, FLAC, …).")
    var file: String

    @Option(help: ArgumentHelp("Instants in seconds from the file's start, comma-separated.", valueName: "T[,T…]"))
    var at: String

    @Option(help: ArgumentHelp("The ONNX model (default: the engines folder's smart-turn-v3.2-cpu.onnx).", valueName: "path"))
    var model: String?

    func instants() throws -> [Double] {
        let items = at.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        return try items.map { item in
            guard let t = Double(item), t.isFinite, t > 0, t <= Self.maxSeconds else {
                throw ValidationError("--at: '\(item)' is not an instant in seconds (0 < T ≤ \(Int(Self.maxSeconds)))")
            }
            return t
        }
    }

    func run() throws {
        let instants = try instants()
        let audio = try WAVReader.read(path: file, maxSeconds: Self.maxSeconds)
        let rate = WhisperLogMel.sampleRate
        let mono = audio.sampleRate == rate ? audio.mono : Resampler.resample(audio.mono, from: audio.sampleRate, to: rate)
        let seconds = Double(mono.count) / Double(rate)
        if let late = instants.first(where: { Int(($0 * Double(rate)).rounded()) > mono.count }) {
            throw ValidationError("--at \(late): \(file) is only \(String(format: "%.3f", seconds)) s long")
        }
        let samples = mono.map { Float($0) / 32768 }
        let scorer = try SmartTurnEndOfTurnModel(modelPath: model)
        for t in instants {
            let end = Int((t * Double(rate)).rounded())
            let probability = try scorer.probability(ofTurn: Array(samples[..<end]))
            print("\(Self.text(t)) \(String(format: "%.6f", probability))")
        }
    }

    /// An instant as given, without trailing zeros (`1.5`, `2`).
    static func text(_ t: Double) -> String {
        var s = String(format: "%.6f", t)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
