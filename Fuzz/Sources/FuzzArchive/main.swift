import Core
import FuzzSupport
import Foundation
import Recorder

/// Archive bytes → `SessionArchive` open + every read the CLI verbs make (events, frames, decoded
/// audio of each stream, VAD rows, clips, metrics) + `ArchiveVerifier`. An input is either a whole
/// `.ctk` file (raw bytes, written to a temp file), or an `ArchiveEditScript` applied to a base
/// archive. Errors (`ArchiveError`) are expected; crashes, hangs and memory blow-ups are findings.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzArchive(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzDriver.bytes(data, size)
    let path = FuzzScratch.freshPath("input.ctk")
    if let script = String(validating: bytes.prefix(64 << 10), as: UTF8.self).flatMap(ArchiveEditScript.init) {
        guard let base = BaseArchives.paths[script.base] else { return 0 }
        do {
            try FileManager.default.copyItem(atPath: base, toPath: path)
            try script.apply(to: path)
            // The edits live in the WAL until a checkpoint; readers open read-only and see them either way.
        } catch {
            return 0
        }
    } else {
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return 0 }
    }
    readEverything(path)
    _ = try? ArchiveVerifier(makeDecoder: ArchiveCodecs.decoder(codec:format:)).verify(path: path)
    return 0
}

/// What `report`, `replay`, `inspect` and `export` read from an archive.
func readEverything(_ path: String) {
    guard let archive = try? SessionArchive(path: path, makeDecoder: ArchiveCodecs.decoder(codec:format:)) else { return }
    if let events = try? archive.events() {
        _ = SessionMetrics(events: events)
        if let last = events.last { _ = try? archive.events(from: .zero, to: last.time) }
    }
    for stream in AudioStream.allCases {
        guard let count = try? archive.frameCount(stream), count > 0 else { continue }
        _ = try? archive.decodedAudio(stream)
        _ = try? archive.decodedAudio(stream, frames: (count / 2)..<count, warmupFrames: 2)
    }
    _ = try? archive.vadFrames()
    _ = try? archive.recordings()
}

// The live base archives are also raw seeds: Fuzz/run.sh names the corpus folder to put them in
// (they are small, so byte mutations of them run fast, unlike the 151 KB sample).
if let folder = ProcessInfo.processInfo.environment["CROSSTALK_FUZZ_SEED_DIR"] {
    for (name, path) in BaseArchives.paths where name.hasPrefix("live-") {
        try? FileManager.default.copyItem(atPath: path, toPath: folder + "/raw-\(name).ctk")
    }
}
_ = BaseArchives.paths
FuzzDriver.main(fuzzArchive)
