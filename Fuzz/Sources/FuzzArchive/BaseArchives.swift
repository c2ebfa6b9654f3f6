import Core
import Foundation
import FuzzSupport
import Recorder

/// The archives edit scripts start from: two small live sessions recorded once per process through
/// `LiveSessionRecorder` (one Opus, one PCM16: every table, every stream, a few events), and the
/// bundled sample `sessions/samples/barge-in.ctk` (a simulated session).
enum BaseArchives {
    /// Paths by the name an edit script's first line gives.
    static let paths: [String: String] = {
        var out: [String: String] = [:]
        for codec in ["opus", "pcm16"] {
            let path = FuzzScratch.directory + "/base-live-\(codec).ctk"
            record(codec: codec, to: path)
            out["live-\(codec)"] = path
        }
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        out["sample"] = repo.appendingPathComponent("sessions/samples/barge-in.ctk").path
        return out
    }()

    private static func record(codec: String, to path: String) {
        for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
        let recorder = LiveSessionRecorder(path: path, overwrite: true, sessionID: "fuzz-base")
        let samplesPerFrame = 320
        var lines = [#"{"type":"hello","sample_rate":16000,"frame_ms":20,"codec":"\#(codec)","name":"fuzz"}"#]
        for frame in 0..<6 {
            for (stream, pitch) in [("caller", 300.0), ("mic", 300.0), ("bot", 500.0)] {
                var bytes: [UInt8] = []
                for k in 0..<samplesPerFrame {
                    let t = Double(frame * samplesPerFrame + k) / 16000
                    let bits = UInt16(bitPattern: Int16(6000 * sin(2 * Double.pi * pitch * t)))
                    bytes += [UInt8(bits & 0xFF), UInt8(bits >> 8)]
                }
                lines.append(#"{"type":"audio","stream":"\#(stream)","frame":\#(frame),"pcm16":"\#(Data(bytes).base64EncodedString())"}"#)
            }
            lines.append(#"{"type":"vad","frame":\#(frame),"prob":0.\#(frame + 2),"speech":\#(frame > 1)}"#)
        }
        lines += [
            #"{"type":"event","t_us":20000,"kind":"vad.start","turn":1,"data":{}}"#,
            #"{"type":"event","t_us":40000,"kind":"stt.partial","turn":1,"data":{"text":"hi"}}"#,
            #"{"type":"event","t_us":60000,"kind":"stt.final","turn":1,"data":{"text":"hi there"}}"#,
            #"{"type":"event","t_us":80000,"kind":"turn.end","turn":1,"data":{"reason":"silence","waited_ms":20,"transcript":"hi there"}}"#,
            #"{"type":"event","t_us":100000,"kind":"play.start","turn":1,"data":{}}"#,
            #"{"type":"event","t_us":110000,"kind":"play.stop","turn":1,"data":{"reason":"done","heard_text":"hello"}}"#,
            #"{"type":"end","t_us":120000}"#,
        ]
        do {
            for line in lines {
                if case .rejected(let error) = try recorder.lineReceived(Array(line.utf8)) {
                    fatalError("the base archive's line was rejected: \(error) — \(line.prefix(80))")
                }
            }
        } catch {
            fatalError("cannot record the base archive \(path): \(error)")
        }
        precondition(recorder.hasEnded, "the base archive \(path) was not finished")
    }
}
