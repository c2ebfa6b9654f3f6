import Core
import Foundation
import Recorder
import Testing
@testable import Inspector

/// Archives recorded from the bundled scenarios, one fresh temp directory per test.
final class InspectorFixture {
    /// The package root (three levels above this file).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let directory: URL

    init(_ name: String = #function) throws {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("crosstalk-inspector-\(safe)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func path(_ file: String) -> String { directory.appendingPathComponent(file).path }

    /// Records `sessions/scenarios/<name>.yaml` into this test's directory.
    func archive(_ name: String, overrides: [String] = []) throws -> String {
        let file = Self.root.appendingPathComponent("sessions/scenarios/\(name).yaml").path
        let (scenario, yaml) = try ScenarioLoader.load(path: file, overrides: overrides)
        let output = path("\(name).ctk")
        _ = try SimulationRecorder(scenario: scenario, scenarioText: yaml).run(output: output, overwrite: true)
        return output
    }

    /// An app over one archive of `name` in a `width` × `height` screen.
    func app(_ name: String, width: Int = 120, height: Int = 40) throws -> InspectorApp {
        try InspectorApp(model: InspectorModel(paths: [archive(name)]), width: width, height: height)
    }
}

/// Reviewed text snapshots under `Tests/InspectorTests/Snapshots/`.
///
/// A missing snapshot (or `CROSSTALK_RECORD_SNAPSHOTS=1`) is written and the test fails, so a
/// new or changed screen is always looked at before it is committed.
enum Snapshot {
    static let directory = InspectorFixture.root.appendingPathComponent("Tests/InspectorTests/Snapshots")

    static func check(_ screen: Screen, named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = directory.appendingPathComponent("\(name).txt")
        let text = screen.text
        let record = ProcessInfo.processInfo.environment["CROSSTALK_RECORD_SNAPSHOTS"] == "1"
        guard !record, let expected = try? String(contentsOf: file, encoding: .utf8) else {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
            Issue.record("recorded snapshot \(name).txt: review it, then run again", sourceLocation: sourceLocation)
            return
        }
        if text != expected {
            let got = text.split(separator: "\n", omittingEmptySubsequences: false)
            let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let row = (0..<min(got.count, want.count)).first { got[$0] != want[$0] } ?? min(got.count, want.count)
            // The actual screen goes to the temp dir (not beside the snapshots, where it could be committed).
            let actual = FileManager.default.temporaryDirectory.appendingPathComponent("crosstalk-snapshot-\(name).actual.txt")
            try? text.write(to: actual, atomically: true, encoding: .utf8)
            Issue.record("""
                screen differs from snapshot \(name).txt at row \(row) (actual screen in \(actual.path)):
                  expected: \(row < want.count ? String(want[row]) : "(end)")
                  actual:   \(row < got.count ? String(got[row]) : "(end)")
                """, sourceLocation: sourceLocation)
        }
    }
}
