import Core
import FuzzSupport
import Foundation
import Recorder
import Replayer

/// The JSON files `import` and `merge` read: a call transcript (`import --transcript`) checked into
/// caller turns with word times, and a sweep result (`merge`'s parts). Each input is tried as both.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzTranscript(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzDriver.bytes(data, size)
    guard let text = String(validating: bytes, as: UTF8.self), let json = try? JSONParser.parse(text) else { return 0 }
    if let transcript = try? CallTranscript(json: json, path: "fuzz.json") {
        // What import derives from it: every caller turn's words, spread over the turn when not given.
        for turn in transcript.callerTurns { _ = turn.words.count }
    }
    if let result = try? SweepResult(json: json, source: "fuzz.json") {
        _ = try? SweepResult.merge([(source: "a.json", result: result), (source: "b.json", result: result)])
        _ = result.table()
        _ = result.csv()
    }
    return 0
}

FuzzDriver.main(fuzzTranscript)
