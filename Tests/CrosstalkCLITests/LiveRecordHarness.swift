import Core
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A running `crosstalk record --listen HOST:0 …`, with the port it printed.
final class RecordProcess {
    let process = Process()
    /// The port from "listening on HOST:PORT".
    private(set) var port: UInt16 = 0
    /// Everything read from stdout so far.
    private(set) var stdoutSoFar = ""
    private let out = Pipe(), err = Pipe()
    private var stdoutClosed = false

    /// Closes the reading end of the command's stdout (as `| head -1` does once it has its line).
    func closeStdout() {
        try? out.fileHandleForReading.close()
        stdoutClosed = true
    }

    /// Starts `crosstalk record ARGUMENTS` and waits for its "listening on" line.
    init(_ arguments: [String]) throws {
        process.executableURL = CLIHarness.binary
        process.arguments = ["record"] + arguments
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let handle = out.fileHandleForReading
        while !stdoutSoFar.contains("\n") {
            let data = handle.availableData
            if data.isEmpty { break }
            stdoutSoFar += String(decoding: data, as: UTF8.self)
        }
        guard let line = stdoutSoFar.split(separator: "\n").first, line.hasPrefix("listening on "),
              let port = line.split(separator: ":").last.flatMap({ UInt16($0) })
        else {
            process.terminate()
            throw HarnessError("record did not print its address; stdout: \(stdoutSoFar)")
        }
        self.port = port
    }

    /// Waits up to `timeout` seconds for the command to exit (then kills it and says so).
    func finish(timeout: Double = 30) -> CLIHarness.Result {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        var note = ""
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            note = "\n[harness: still running after \(timeout) s; killed]"
        }
        process.waitUntilExit()
        let rest = stdoutClosed ? Data() : out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        return CLIHarness.Result(
            status: process.terminationStatus, stdout: stdoutSoFar + String(decoding: rest, as: UTF8.self),
            stderr: String(decoding: errors, as: UTF8.self) + note)
    }
}


/// A harness failure, with what went wrong.
struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Lines of the live protocol, as a client sends them.
enum Live {
    static func hello(codec: String = "pcm16", name: String? = nil, extra: [String: JSONValue] = [:]) -> String {
        var members: [String: JSONValue] = ["type": "hello", "sample_rate": 16000, "frame_ms": 20, "codec": .string(codec)]
        if let name { members["name"] = .string(name) }
        members.merge(extra) { $1 }
        return JSONValue.object(members).canonicalText
    }

    /// A chunk of any length (no `frame`), at `rate`, placed at `timeUs` when given.
    static func chunk(_ stream: String, _ samples: [Int16], timeUs: Int64? = nil, rate: Int? = nil) -> String {
        var bytes: [UInt8] = []
        for sample in samples { bytes += [UInt8(UInt16(bitPattern: sample) & 0xFF), UInt8(UInt16(bitPattern: sample) >> 8)] }
        var members: [String: JSONValue] = ["type": "audio", "stream": .string(stream), "pcm16": .string(Data(bytes).base64EncodedString())]
        if let timeUs { members["t_us"] = .int(timeUs) }
        if let rate { members["sample_rate"] = .int(Int64(rate)) }
        return JSONValue.object(members).canonicalText
    }

    /// A VAD row by time: it holds until the next one.
    static func vad(timeUs: Int64, prob: Double, speech: Bool) -> String {
        JSONValue.object(["type": "vad", "t_us": .int(timeUs), "prob": .double(prob), "speech": .bool(speech)]).canonicalText
    }

    static func event(_ timeUs: Int64, _ kind: String, turn: Int = 1, data: JSONValue = [:]) -> String {
        JSONValue.object(["type": "event", "t_us": .int(timeUs), "kind": .string(kind), "turn": .int(Int64(turn)), "data": data]).canonicalText
    }

    static func audio(_ stream: String, _ frame: Int, _ samples: [Int16]) -> String {
        var bytes: [UInt8] = []
        for sample in samples { bytes += [UInt8(UInt16(bitPattern: sample) & 0xFF), UInt8(UInt16(bitPattern: sample) >> 8)] }
        return JSONValue.object([
            "type": "audio", "stream": .string(stream), "frame": .int(Int64(frame)),
            "t_us": .int(Int64(frame) * 20_000), "pcm16": .string(Data(bytes).base64EncodedString()),
        ]).canonicalText
    }

    static func vad(_ frame: Int, prob: Double, speech: Bool) -> String {
        JSONValue.object(["type": "vad", "frame": .int(Int64(frame)), "prob": .double(prob), "speech": .bool(speech)]).canonicalText
    }

    static let end = #"{"type":"end"}"#

    /// 320 samples of a tone, different per frame and pitch.
    static func tone(frame: Int, pitch: Double = 440) -> [Int16] {
        (0..<320).map { k in Int16(6000 * sin(2 * Double.pi * pitch * Double(frame * 320 + k) / 16000)) }
    }
}
