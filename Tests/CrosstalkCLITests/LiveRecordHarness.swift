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
        let rest = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        return CLIHarness.Result(
            status: process.terminationStatus, stdout: stdoutSoFar + String(decoding: rest, as: UTF8.self),
            stderr: String(decoding: errors, as: UTF8.self) + note)
    }
}

/// A test client of the live protocol: a blocking TCP socket that sends and reads lines.
final class LineClient {
    private let fd: Int32
    private var pending: [UInt8] = []

    /// Connects to 127.0.0.1:`port`; reads time out after `timeout` seconds.
    init(port: UInt16, timeout: Int = 20) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        _ = inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else {
            close(fd)
            throw HarnessError("cannot connect to port \(port): \(String(cString: strerror(errno)))")
        }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Sends `line` and a `\n`.
    func send(_ line: String) { sendRaw(Array(line.utf8) + [0x0A]) }

    /// Sends bytes as they are.
    func sendRaw(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return }
            offset += sent
        }
    }

    /// The next reply line, or nil at end of stream or after the timeout.
    func readLine() -> String? {
        while true {
            if let newline = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            pending += buffer[..<count]
        }
    }

    /// Every reply line until the recorder closes the connection.
    func readAll() -> [String] {
        var lines: [String] = []
        while let line = readLine() { lines.append(line) }
        return lines
    }

    /// Closes the sending side (the recorder reads end-of-file).
    func shutdownWrite() { _ = shutdown(fd, Int32(SHUT_WR)) }
}

/// A harness failure, with what went wrong.
struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Lines of the live protocol, as a client sends them.
enum Live {
    static func hello(codec: String = "pcm16", name: String? = nil) -> String {
        var members: [String: JSONValue] = ["type": "hello", "sample_rate": 16000, "frame_ms": 20, "codec": .string(codec)]
        if let name { members["name"] = .string(name) }
        return JSONValue.object(members).canonicalText
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
