import Core
import FuzzSupport
import Foundation
import Recorder

/// JSON lines from a `record` client: the bytes are cut into reads of varying size, split into
/// lines by `LiveLineBuffer`, and handed to a `LiveSessionRecorder` (the `LiveSessionDecoder` state
/// machine plus the archive writer) exactly as a connection does; then the connection closes.
/// The archive the recorder wrote must open and verify clean: every line it accepted was checked,
/// so a finding there means the recorder wrote what it should have rejected.
let maxLineBytes = 4096

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzLive(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzDriver.bytes(data, size)
    let path = FuzzScratch.freshPath("live.ctk")
    let recorder = LiveSessionRecorder(path: path, overwrite: false, sessionID: "live-fuzz")
    var lines = LiveLineBuffer(maxLineBytes: maxLineBytes)
    // Read sizes as a socket might deliver them: 1, 3, 7, … bytes, wrapping at 1021.
    var offset = 0, readSize = 1, reads = 0
    reading: while offset < bytes.count {
        let end = min(bytes.count, offset + readSize)
        // As LiveConnection.readAvailable: nothing after the session ended is handled.
        for item in lines.append(bytes[offset..<end]) where !recorder.hasEnded {
            let outcome: LiveSessionRecorder.Outcome
            do {
                switch item {
                case .line(let line): outcome = try recorder.lineReceived(line)
                case .oversized: outcome = recorder.oversizedLineReceived(maxLineBytes: maxLineBytes)
                }
            } catch {
                break reading  // the archive could not be written (e.g. an invalid format); the connection ends
            }
            _ = outcome.reply
        }
        offset = end
        readSize = (readSize * 2 + 1) % 1021
        reads += 1
        // As LiveRecordingServer.serve after a read, and after a poll that found nothing to read.
        do {
            try recorder.commitIfDue(idle: false)
            if reads % 2 == 0 { try recorder.commitIfDue(idle: true) }
        } catch {
            break reading
        }
    }
    _ = try? recorder.stop(reason: "closed")
    guard recorder.hasSession, recorder.hasEnded else { return 0 }
    do {
        let findings = try ArchiveVerifier(makeDecoder: ArchiveCodecs.decoder(codec:format:)).verify(path: path)
        if !findings.isEmpty {
            fatalError("the recorder wrote an archive that does not verify: \(findings.map(\.description).joined(separator: "; "))")
        }
    } catch {
        fatalError("the recorder wrote an archive that does not open: \(error)")
    }
    return 0
}

FuzzDriver.main(fuzzLive)
