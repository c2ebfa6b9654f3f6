import Core
import Foundation
import Recorder

/// What the header says about a session.
public struct SessionInfo: Sendable {
    /// Short title: the file name, or what a replay changed.
    public var title: String
    /// Scenario name, if known.
    public var scenario: String?
    /// Session id, if known.
    public var sessionID: String?
    /// The session it was replayed from, if any.
    public var parentSessionID: String?
}

/// Where one timeline's events come from: an archive read by time range, or a replay held in memory.
///
/// Implementations answer `events(from:to:)` in time order (ties in `seq` order), like
/// `SessionArchive.events(from:to:)`, so a view never needs the whole session at once.
public protocol EventSource: AnyObject {
    /// Header information.
    var info: SessionInfo { get }
    /// When the session ends (its last event or the end of its audio, whichever is later).
    var end: SimInstant { get }
    /// Events with `from <= time < to`.
    func events(from: SimInstant, to: SimInstant) throws -> [PipelineEvent]
    /// Audio levels for the lanes that show audio, if this session has audio.
    var levels: AudioLevels? { get }
    /// The streams of `levels` that belong to this session (a replay shares only the caller's).
    var streams: Set<AudioStream> { get }
}

/// An archive on disk, read by time range through the `events_t` index.
public final class ArchiveEventSource: EventSource {
    /// The archive.
    public let archive: SessionArchive
    public let info: SessionInfo
    public let end: SimInstant
    public let levels: AudioLevels?
    public let streams: Set<AudioStream>

    /// Opens `path` read-only and finds where the session ends without reading all of it.
    public init(path: String) throws {
        archive = try SessionArchive(path: path, makeDecoder: ArchiveCodecs.decoder(codec:format:))
        let meta = archive.meta
        info = SessionInfo(
            title: PathName.lastComponent(of: path), scenario: meta["scenario_name"],
            sessionID: meta["session_id"], parentSessionID: meta["parent_session_id"])
        var counts: [AudioStream: Int] = [:]
        for stream in AudioStream.allCases { counts[stream] = try archive.frameCount(stream) }
        let frames = counts.values.max() ?? 0
        let audioEnd = SimInstant(microseconds: Int64(frames) * Int64(archive.format.frameMs) * 1000)
        // The latest event through the `events_t` index: one lookup, however many events there are.
        end = max(audioEnd, try archive.latestEventTime() ?? .zero)
        levels = frames > 0 ? AudioLevels(path: path, format: archive.format, frameCounts: counts) : nil
        streams = Set(counts.filter { $0.value > 0 }.keys)
    }

    public func events(from: SimInstant, to: SimInstant) throws -> [PipelineEvent] {
        try archive.events(from: from, to: to)
    }
}

/// Events held in memory: a replay's result (its caller and mic audio are the parent's).
public final class MemoryEventSource: EventSource {
    /// The events in time order.
    public let events: [PipelineEvent]
    public let info: SessionInfo
    public let end: SimInstant
    public let levels: AudioLevels?
    public let streams: Set<AudioStream>

    /// Holds `events` (sorted here by time, then seq); `streams` of `levels` are this session's audio.
    public init(events: [PipelineEvent], info: SessionInfo, levels: AudioLevels?, streams: Set<AudioStream>,
                minimumEnd: SimInstant = .zero) {
        self.events = events.sorted { ($0.time, $0.seq) < ($1.time, $1.seq) }
        self.info = info
        self.levels = levels
        self.streams = streams
        end = max(minimumEnd, self.events.last?.time ?? .zero)
    }

    /// The first index whose time is at or after `time`.
    private func index(of time: SimInstant) -> Int {
        var low = 0, high = events.count
        while low < high {
            let mid = (low + high) / 2
            if events[mid].time < time { low = mid + 1 } else { high = mid }
        }
        return low
    }

    public func events(from: SimInstant, to: SimInstant) throws -> [PipelineEvent] {
        let a = index(of: from), b = max(a, index(of: to))
        return Array(events[a..<b])
    }
}
