import Core
import FuzzSupport
import Recorder

/// Scenario text → `Scenario`: the YAML parser, the nesting check, `--set` overrides and Core's
/// scenario decoding. Lines at the top starting with `#set ` are applied as `--set` overrides, so
/// the fuzzer reaches `ScenarioLoader.applying` too. Errors are expected; crashes, hangs and memory
/// blow-ups are findings.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzScenario(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzDriver.bytes(data, size)
    guard let text = String(validating: bytes, as: UTF8.self) else { return 0 }
    var overrides: [String] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        guard line.hasPrefix("#set ") else { break }
        overrides.append(String(line.dropFirst(5)))
    }
    if let scenario = try? ScenarioLoader.decode(yaml: text, source: "fuzz.yaml", overrides: overrides) {
        // What simulate derives from a scenario before the clock starts: the resolved settings
        // stored in the archive's meta, the frame size, the texts to synthesize.
        _ = scenario.resolvedConfig.canonicalText
        _ = scenario.audio.format.samplesPerFrame
        _ = scenario.textsInFileOrder
    }
    return 0
}

FuzzDriver.main(fuzzScenario)
