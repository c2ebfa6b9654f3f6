import Core
import Foundation
import Recorder
import Replayer

/// Two timelines on one time axis: a recording and its replay, or two archives.
public struct Comparison {
    /// The upper timeline (the recording, or the first archive).
    public let before: Timeline
    /// The lower timeline (the replay, or the second archive).
    public let after: Timeline
    /// Label of the upper timeline.
    public let beforeTitle: String
    /// Label of the lower timeline.
    public let afterTitle: String
    /// Turn-by-turn difference.
    public let diff: SessionDiff
    /// Whether `after` is an in-process replay of `before` (else a second archive).
    public let isReplay: Bool
}

/// The sessions being inspected and what can be done with them: opening archives by time range,
/// the recorded settings, in-process counterfactual replays, saving them, and WAV export.
public final class InspectorModel {
    /// The archives opened.
    public let paths: [String]
    /// The first archive's timeline.
    public let primary: Timeline
    /// The second archive's timeline, when two were opened.
    public let second: Timeline?
    /// The first archive's recorded settings, read on first use (parsing a long scenario takes a while).
    private lazy var recordedSettings: Result<[SettingField], Error> = Result {
        SettingField.fields(of: try ArchivedScenario(archive: primarySource.archive).scenario().pipeline)
    }
    /// The first archive's endpointing, barge-in and latency settings (empty for imported sessions).
    public var settings: [SettingField] { (try? recordedSettings.get()) ?? [] }
    /// Why settings cannot be edited, if they cannot.
    public var settingsNote: String? {
        if case .failure(let error) = recordedSettings { return Self.message(error) }
        return nil
    }

    private let primarySource: ArchiveEventSource
    private let secondSource: ArchiveEventSource?
    private var replayer: SessionReplayer?
    /// QA's caller labels of the first archive: the ground truth of its replays' diffs.
    private let callerLabels: CallerLabels?

    /// Opens one or two archives (`callerLabels`: QA's labels of the first one's caller turns).
    /// Fails with the archive's one-line error before anything is drawn.
    public init(paths: [String], callerLabels: CallerLabels? = nil) throws {
        self.callerLabels = callerLabels
        precondition(!paths.isEmpty && paths.count <= 2, "inspect opens one or two archives")
        self.paths = paths
        primarySource = try ArchiveEventSource(path: paths[0])
        primary = Timeline(source: primarySource)
        if paths.count == 2 {
            let source = try ArchiveEventSource(path: paths[1])
            secondSource = source
            second = Timeline(source: source)
        } else {
            secondSource = nil
            second = nil
        }
    }

    /// Sets whether audio levels are decoded on a background queue (interactive use).
    public func decodeAudioInBackground(_ on: Bool) {
        primarySource.levels?.background = on
        secondSource?.levels?.background = on
    }

    /// Every audio level provider (for the runner to notice background results).
    public var levelProviders: [AudioLevels] { [primarySource.levels, secondSource?.levels].compactMap { $0 } }

    /// The two archives side by side (reads both once through a cursor, for the turn-by-turn diff).
    public func archiveComparison() throws -> Comparison? {
        guard let second, let secondSource else { return nil }
        func metrics(_ archive: SessionArchive) throws -> SessionMetrics {
            var accumulator = SessionMetrics.Accumulator()
            try archive.forEachEvent { accumulator.add($0) }
            return accumulator.metrics
        }
        let diff = SessionDiff(before: try metrics(primarySource.archive), after: try metrics(secondSource.archive))
        return Comparison(before: primary, after: second, beforeTitle: primarySource.info.title,
                          afterTitle: secondSource.info.title, diff: diff, isReplay: false)
    }

    /// Replays the first archive in process with `overrides` (`key=value`) and `retime` items.
    public func replay(overrides: [String], retime: [String]) throws -> Comparison {
        let replayer = try openReplayer()
        let scenario = try replayer.source.scenario(overrides: overrides, retime: retime)
        let events = try replayer.replayEvents(overrides: overrides, retime: retime)
        // The caller's audio is pinned to the recording; the mic is unchanged when the fast path applies.
        var streams: Set<AudioStream> = [.caller]
        if replayer.fastPathAllowed(for: scenario) { streams.insert(.mic) }
        let changes = overrides.map { $0.hasPrefix("pipeline.") ? String($0.dropFirst(9)) : $0 } + retime.map { "retime " + $0 }
        let title = "replay · " + (changes.isEmpty ? "as recorded" : changes.joined(separator: ", "))
        let source = MemoryEventSource(
            events: events, info: SessionInfo(title: title, scenario: primarySource.info.scenario, sessionID: nil,
                                              parentSessionID: primarySource.info.sessionID),
            levels: primarySource.levels, streams: streams)
        let diff = SessionDiff(before: try replayer.recordedMetrics(), after: replayer.metrics(of: events))
        return Comparison(before: primary, after: Timeline(source: source), beforeTitle: "recorded · " + primarySource.info.title,
                          afterTitle: title, diff: diff, isReplay: true)
    }

    /// Replays with the audio path and writes the result to `path` (its parent recorded). Returns what to tell the user.
    public func save(to path: String, overrides: [String], retime: [String]) throws -> String {
        let replayer = try openReplayer()
        var request = ReplayRun.Request()
        request.overrides = overrides
        request.retime = retime
        request.output = path
        let outcome = try ReplayRun.run(request, on: replayer)
        return "wrote \(path) (\(outcome.events.count) events, parent \(replayer.sessionID))"
    }

    /// Writes pipeline turn `turn` of `timeline` (caller left, bot right) to `path`. Returns what to tell the user.
    public func writeWAV(turn: Int, of timeline: Timeline, near time: SimInstant, to path: String) throws -> String {
        guard let source = timeline.source as? ArchiveEventSource else {
            throw ReplayError("this replay has no audio of its own; save it as an archive (s) first")
        }
        guard let range = Self.range(ofTurn: turn, in: timeline, near: time) else {
            throw ReplayError("turn \(turn) has no events near \(TimeText.of(time))")
        }
        try WAVExporter(archive: source.archive).export(to: path, from: range.from, to: range.to)
        let ms = (range.to.microseconds - range.from.microseconds) / 1000
        return "wrote \(path): turn \(turn), \(TimeText.of(range.from)) to \(TimeText.of(range.to)) (\(ms) ms, caller left, bot right)"
    }

    /// A pipeline turn's span: from the speech onset that opened it to its last event, padded by 200 ms.
    static func range(ofTurn turn: Int, in timeline: Timeline, near time: SimInstant) -> (from: SimInstant, to: SimInstant)? {
        guard let anchor = timeline.turnEnd(of: turn, near: time) else { return nil }
        let t = anchor.time.microseconds
        let events = timeline.events(from: t - 40_000_000, to: t + 40_000_000)
        let mine = events.filter { $0.turn == turn && !$0.kind.rawValue.hasPrefix("caller.") }
        guard let first = mine.first, let last = mine.last else { return nil }
        let onsets = mine.compactMap { $0.data["onset_us"]?.intValue } + [first.time.microseconds]
        return (SimInstant(microseconds: max(0, onsets.min()! - 200_000)), SimInstant(microseconds: last.time.microseconds + 200_000))
    }

    private func openReplayer() throws -> SessionReplayer {
        if let replayer { return replayer }
        let made = try SessionReplayer(path: paths[0], callerLabels: callerLabels)
        replayer = made
        return made
    }

    /// One line for any error (ArchiveError, ReplayError, ScenarioError are already one line).
    public static func message(_ error: Error) -> String {
        let text: String
        switch error {
        case let e as ScenarioError: text = e.message
        case let e as ReplayError: text = e.message
        case let e as CustomStringConvertible: text = e.description
        default: text = "\(error)"
        }
        return text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
    }
}
