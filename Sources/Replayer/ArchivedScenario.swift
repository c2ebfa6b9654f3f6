import Core
import Foundation
import Recorder

/// Rebuilds the exact settings a session was recorded with, from its archive's meta.
///
/// The caller's and bot's scripts come from the stored scenario YAML; every pipeline, audio and
/// caller setting comes from the stored resolved `config` (so a replay does not depend on this
/// build's defaults); the recorded `--retime` adjustments come back too. Replay overrides apply on top.
public struct ArchivedScenario: Sendable {
    /// The archive's path (for messages).
    public let path: String
    /// The scenario YAML as recorded.
    public let yaml: String
    /// The configuration tree: YAML with the recorded settings laid over it.
    let root: ConfigNode
    /// The recorded retime adjustments, as `key=value` items.
    public let retime: [String]

    /// The sources of recorded real sessions (they have no scenario: their settings start from the
    /// defaults with the recorded pipeline's own, meta `recorded_settings`, laid over them).
    public static let recordedSources = ["live", "livekit"]

    /// Whether `archive` is a recorded real session (or a replay of one).
    public static func isRecordedSession(_ archive: SessionArchive) -> Bool {
        guard let source = archive.meta["source"] else { return false }
        return recordedSources.contains(source) || (source == "replay" && archive.meta["recorded_session"] != nil)
    }

    /// Reads the scenario of `archive`.
    public init(archive: SessionArchive) throws {
        self = try Self.isRecordedSession(archive) ? ArchivedScenario(recorded: archive) : ArchivedScenario(scenarioOf: archive)
    }

    /// Reads the stored scenario of a simulated (or imported) session.
    private init(scenarioOf archive: SessionArchive) throws {
        path = archive.path
        guard let yaml = archive.meta["scenario"], let configText = archive.meta["config"] else {
            throw ReplayError("\(archive.path): the archive has no scenario and is not a recorded session (source '\(archive.meta["source"] ?? "?")'), so it cannot be re-executed")
        }
        self.yaml = yaml
        let config: JSONValue
        do { config = try JSONParser.parse(configText) } catch {
            throw ReplayError("\(archive.path): meta 'config' is not valid JSON (\(error))")
        }
        var root = try ScenarioLoader.parse(yaml, source: "\(archive.path) (scenario)")
        let mark = ConfigMark(source: "\(archive.path) (config)", line: 0)
        var retime: [String] = []
        if case .object(var pipeline)? = config["pipeline"] {
            if case .object(let r)? = pipeline["retime"] {
                retime = r.keys.sorted().compactMap { key in r[key]?.stringValue.map { "\(key)=\($0)" } }
            }
            pipeline["retime"] = nil
            root = try root.setting(["pipeline"], to: Self.node(.object(pipeline), mark: mark))
        }
        if let audio = config["audio"] { root = try root.setting(["audio"], to: Self.node(audio, mark: mark)) }
        for key in ["seed", "max_duration_ms", "name"] {
            if let v = config[key] { root = try root.setting([key], to: Self.node(v, mark: mark)) }
        }
        for key in ["voice", "start_ms", "patience_ms"] {
            if let v = config["caller"]?[key] { root = try root.setting(["caller", key], to: Self.node(v, mark: mark)) }
        }
        if let v = config["bot"]?["fallback_reply"] { root = try root.setting(["bot", "fallback_reply"], to: Self.node(v, mark: mark)) }
        self.root = root
        self.retime = retime
    }

    /// The settings of a recorded real session: this build's defaults, the archive's audio format,
    /// and the recorded pipeline's settings (meta `recorded_settings`: `--set` keys → values).
    init(recorded archive: SessionArchive) throws {
        path = archive.path
        let name = (archive.meta["scenario_name"] ?? archive.meta["session_id"] ?? "recorded session")
        let quoted = JSONValue.string(name).canonicalText
        let codec = (try? archive.packets(.mic).first?.codec) ?? nil
        yaml = """
            name: \(quoted)
            audio: { sample_rate: \(archive.format.sampleRate), frame_ms: \(archive.format.frameMs), codec: \(codec == "pcm16" ? "pcm16" : "opus") }
            caller:
              turns:
                - say: "(the recorded caller)"
            """
        var root = try ScenarioLoader.parse(yaml, source: "\(archive.path) (recorded session)")
        if let text = archive.meta["recorded_settings"] {
            guard let json = try? JSONParser.parse(text), case .object(let members) = json else {
                throw ReplayError("\(archive.path): meta 'recorded_settings' is not a JSON object")
            }
            let items = members.keys.sorted().map { key -> String in
                let v = members[key]!
                return "\(key)=\(RecordedSettings.text(of: v) ?? v.canonicalText)"
            }
            do { root = try ScenarioLoader.applying(items, to: root) } catch let error as ScenarioError {
                throw ReplayError("\(archive.path): meta 'recorded_settings': \(error.message)")
            }
        }
        self.root = root
        retime = []
    }

    /// The scenario with `overrides` (`--set`) and `retime` (`--retime`) applied after the recorded ones.
    public func scenario(overrides: [String] = [], retime extra: [String] = []) throws -> Scenario {
        var scenario = try Scenario(from: try ScenarioLoader.applying(overrides, to: root))
        var retiming = Retiming()
        for item in retime + extra { try retiming.apply(item) }
        scenario.pipeline.retime = retiming
        return scenario
    }

    /// A JSON value as a configuration node (nulls: an unset optional).
    static func node(_ value: JSONValue, mark: ConfigMark) -> ConfigNode {
        switch value {
        case .null: return .null(mark)
        case .bool(let b): return .scalar(b ? "true" : "false", quoted: false, mark)
        case .int(let i): return .scalar(String(i), quoted: false, mark)
        case .double(let d): return .scalar(d.description, quoted: false, mark)
        case .string(let s): return .scalar(s, quoted: true, mark)
        case .array(let items): return .sequence(items.map { node($0, mark: mark) }, mark)
        case .object(let members):
            return .mapping(members.keys.sorted().compactMap { key in
                guard let v = members[key], v != .null else { return nil }
                return (key: key, value: node(v, mark: mark))
            }, mark)
        }
    }
}
